import { Semaphore } from '../semaphore';
import { ModelError } from './modelError';
import type { ChatMessage, ChatModel, CompleteOptions, Completion } from './types';

/** Slots for model calls. One per run, shared by every sub-call and child run, so nesting cannot
 *  multiply the concurrency. */
export function modelSlots(max = 8): Semaphore {
  return new Semaphore(max, () => new ModelError('Cancelled while waiting for a free model slot.', 'cancelled'));
}

/** A ChatModel whose calls go through shared slots (the run's sub-model). */
export function limitedModel(model: ChatModel, slots: Semaphore): ChatModel {
  return {
    id: model.id,
    complete: (messages: ChatMessage[], options: CompleteOptions = {}): Promise<Completion> =>
      slots.run(() => model.complete(messages, options), options.signal),
  };
}
