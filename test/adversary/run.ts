// Runs one attack on a fresh scene (the tests and the soak both use it).
import type { Attack } from './attacks.js';
import { endScene, scene } from './scene.js';

export async function runAttack(a: Attack, scale = 1): Promise<string> {
  const s = await scene({ payments: a.payments ?? 2 });
  try {
    return await a.run(s, { scale });
  } finally {
    await endScene(s);
  }
}
