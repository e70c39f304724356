/** Which key of which transaction the cursor is on, from the jsonc tree. */
import { findNodeAtOffset, getNodePath, type Node } from 'jsonc-parser';

export interface KeyLocation {
  /** Path of the property's value, e.g. [3, 'flags']. */
  path: (string | number)[];
  key: string;
  /** The value node (what hovers describe and ranges cover). */
  valueNode: Node;
}

/** The property under `offset`, whether the cursor is on its key or its value. */
export function propertyAt(tree: Node, offset: number): KeyLocation | undefined {
  let node = findNodeAtOffset(tree, offset, true);
  if (!node) return undefined;
  // Inside an array value (e.g. tags), climb to the property holding it.
  while (node && node.parent && node.parent.type !== 'property') node = node.parent;
  const prop = node?.parent;
  if (!prop || prop.type !== 'property' || !prop.children || prop.children.length < 2) return undefined;
  const keyNode = prop.children[0]!;
  const valueNode = prop.children[1]!;
  if (typeof keyNode.value !== 'string') return undefined;
  return { path: getNodePath(valueNode), key: keyNode.value, valueNode };
}

/** The transaction index of a path inside an item document ([i, ...]). */
export function transactionIndexOf(path: (string | number)[]): number | undefined {
  const first = path[0];
  return typeof first === 'number' ? first : undefined;
}
