// Imported first: Lit reads `litNonce` when it must fall back to <style> elements, and
// the CSP only admits styles carrying the page's nonce.
const script = document.currentScript as HTMLScriptElement | null;
if (script?.nonce) (globalThis as { litNonce?: string }).litNonce = script.nonce;
export {};
