// The chat's conversation, kept across screen changes for the life of the page.
import type { Answer, ApiError } from './api/types';
import { Task } from './task.svelte';

export interface Turn {
  id: number;
  question: string;
  answer?: Answer;
  error?: ApiError;
  cancelled?: boolean;
  /** A language model's explanation while it is being written, shown until the answer arrives. */
  streaming?: string;
}

export const chat = $state({
  turns: [] as Turn[],
  conversationId: null as string | null,
  /** The next question starts a new conversation. */
  fresh: true,
  draft: '',
  suggestions: [] as string[],
  suggestionsLang: '' as string,
});

export const askTask = new Task();

/** Starts a new conversation: the running question is cancelled and the answers so far are cleared. */
export function resetConversation(): void {
  askTask.cancel();
  chat.turns = [];
  chat.conversationId = null;
  chat.fresh = true;
}

let nextId = 1;
export function newTurnId(): number {
  return nextId++;
}
