// Every attack, and how one runs on a fresh scene (the tests and the soak both use these).
import { depositFlood, proposalFlood, resyncFlood, typeFloods } from './attacks-floods.js';
import { closeAccepted, closeProposed, equivocation, forgedStates, shortPeriod, staleClose } from './attacks-states.js';
import { foreignChannel, silentHandshake, withheldAck, type Attack } from './attacks.js';
import { endScene, scene } from './scene.js';

export const ATTACKS: readonly Attack[] = [
  withheldAck,
  silentHandshake,
  foreignChannel,
  resyncFlood,
  proposalFlood,
  depositFlood,
  typeFloods,
  forgedStates,
  equivocation,
  closeProposed,
  closeAccepted,
  shortPeriod,
  staleClose,
];

/** Runs one attack on a fresh scene; `scale` multiplies the flood sizes (the soak runs bigger floods). */
export async function runAttack(a: Attack, scale = 1): Promise<string> {
  const s = await scene({ payments: a.payments ?? 2 });
  try {
    return await a.run(s, { scale });
  } finally {
    await endScene(s);
  }
}
