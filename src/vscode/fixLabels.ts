/** Which fix an error message calls for (pure: unit-tested with the real wording of core's errors). */
export type FixLabel = 'Set API Key' | 'Open Settings' | 'Select Model';

/** Labels of the fixes for `message` (pure: unit-tested without VS Code). */
export function fixLabelsFor(message: string): { label: FixLabel; setting?: string }[] {
  if (/\(401\)|API key/i.test(message)) return [{ label: 'Set API Key' }];
  if (/Model "[^"]*" is not known|No VS Code language model named/i.test(message)) return [{ label: 'Select Model', setting: 'rlm.model' }];
  if (/Cannot reach|base URL|rlm\.baseUrl/i.test(message)) return [{ label: 'Open Settings', setting: 'rlm.baseUrl' }];
  if (/No VS Code language model is available/i.test(message)) return [{ label: 'Open Settings', setting: 'rlm.provider' }];
  return [];
}
