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

let nextId = 1;
export function newTurnId(): number {
  return nextId++;
}
