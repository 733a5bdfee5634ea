/** One chat message: Block Kit blocks plus the plain text shown where blocks are not (notifications). */
export interface ChatMessage {
  readonly text: string;
  readonly blocks: readonly Record<string, unknown>[];
}

/**
 * Posts messages to the team's channel: a Slack incoming webhook on AWS and locally when a URL
 * is set, the console otherwise. Failures are NotifyError.
 */
export interface Notifier {
  post(message: ChatMessage): Promise<void>;
}
