// Must run before Lit loads: Lit tags any <style> it creates with this nonce (CSP style-src).
const script = document.currentScript as HTMLScriptElement | null;
(globalThis as { litNonce?: string }).litNonce = script?.nonce || undefined;
