// Placeholder: the custom-resource handler is written in its own change.
export async function handler(): Promise<void> {
  throw new Error('not implemented');
}
