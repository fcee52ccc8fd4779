// The tree-row menus of a manifest (contributes.menus['view/item/context']) for a row's context value: the when
// clauses this extension writes (`view == …`, `viewItem =~ /…/`, && || and parentheses) evaluated as VS Code does.
import assert from 'node:assert/strict';

export interface ItemMenu {
  command: string;
  when?: string;
  group?: string;
}

/** The entries shown for a row with this context value (inline ones have a group starting with "inline"). */
export function itemMenus(menus: readonly ItemMenu[], contextValue: string): ItemMenu[] {
  return menus.filter((m) => {
    const expr = (m.when ?? 'true')
      .replace(/view == synchannel\.tree/g, 'true')
      .replace(/viewItem =~ \/((?:[^/\\]|\\.)+)\//g, (_, re: string) => String(new RegExp(re).test(contextValue)));
    assert.match(expr, /^[truefals&|() !]+$/, `a when-clause this helper cannot read: ${m.when}`);
    return (new Function(`return ${expr};`) as () => boolean)();
  });
}
