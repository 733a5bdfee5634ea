import '../shared/polyfills';
import { ExecutionError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { localSubstitutions, substituteDefinition } from '../services/daily/definition';
import type { DailyContext } from '../services/daily/context';
import { taskHandlers, taskStates, type TaskHandler } from '../services/daily/handlers';

/**
 * Runs the deployed state machine definition on one machine with aws-local-stepfunctions: every
 * Task state is bound to the same handler the Lambda runs, built over the run's local context.
 */

/** One task invocation, in the order they ran (retries included). */
export interface TaskCall {
  readonly state: string;
  readonly ok: boolean;
  readonly error?: string;
}

export interface LocalRunResult {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly output?: unknown;
  readonly error?: string;
  readonly calls: readonly TaskCall[];
}

export interface LocalRunOptions {
  readonly context: DailyContext;
  /** Wait before each retry, in ms (0 in tests; the definition's backoff is for AWS). */
  readonly retryIntervalMs?: number;
  /** Replaces a task's handler (tests inject failures this way). */
  readonly handlerOverrides?: Readonly<Record<string, TaskHandler>>;
}

/** The ASL definition as deployed, with placeholder Lambda ARNs (every Task is overridden locally). */
export const stateMachineDefinition = substituteDefinition(localSubstitutions()) as StateMachineDefinition;

/** Runs one execution of the daily workflow locally with input `{ date?, lookbackDays?, attributionDays? }`. */
export async function runDailyWorkflowLocal(input: { date?: string; lookbackDays?: number; attributionDays?: number }, options: LocalRunOptions): Promise<LocalRunResult> {
  const calls: TaskCall[] = [];
  const handlers: Record<string, (input: unknown) => Promise<never>> = {};
  for (const [state, handler] of Object.entries({ ...taskHandlers(options.context), ...options.handlerOverrides })) {
    handlers[state] = async (stateInput: unknown) => {
      try {
        const output = await handler(stateInput as never);
        calls.push({ state, ok: true });
        return output as never;
      } catch (error) {
        calls.push({ state, ok: false, error: (error as Error)?.name ?? 'Error' });
        throw error;
      }
    };
  }
  const retryIntervalOverrides = Object.fromEntries([...taskStates, 'CuratedEvents', 'DailyCtr', 'DailyConversions'].map((s) => [s, options.retryIntervalMs ?? 1000]));
  const machine = new StateMachine(stateMachineDefinition);
  try {
    const execution = machine.run(input, { overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides } });
    const output = await execution.result;
    return { status: 'SUCCEEDED', output, calls };
  } catch (error) {
    if (!(error instanceof ExecutionError)) throw error;
    return { status: 'FAILED', error: error.message, calls };
  }
}
