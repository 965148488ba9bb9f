import type { Logger } from '@crh/observability';
import { type DocumentNode, type ExecutionResult, getOperationAST } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { GatewayContext } from '../builder.ts';

/**
 * Every FORBIDDEN answer of a query or subscription is logged with who
 * asked (`sub`), the operation and the refused field, and why, over HTTP,
 * SSE and graphql-ws alike (they all run through Yoga's envelope). The
 * mutations log their refusals where they decide them, with the customer
 * (mutations/act-permission.ts). The token itself is never logged.
 */
export function useRefusalLog(logger: Logger): Plugin<GatewayContext> {
  const logRefusals = (
    args: { contextValue: GatewayContext; document: DocumentNode; operationName?: string | null | undefined },
    result: ExecutionResult,
  ) => {
    const operation = getOperationAST(args.document, args.operationName);
    if (operation?.operation === 'mutation') return;
    for (const error of result.errors ?? []) {
      if (error.extensions?.code !== 'FORBIDDEN') continue;
      logger.warn(
        {
          sub: args.contextValue.principal?.sub ?? null,
          operation: `${operation?.operation ?? 'operation'} ${operation?.name?.value ?? args.operationName ?? '(anonymous)'}`,
          field: error.path?.join('.') ?? null,
          reason: error.message,
        },
        'refused',
      );
    }
  };
  return {
    onExecute: () => ({
      onExecuteDone: ({ args, result }) => {
        if (!isAsyncIterable(result)) logRefusals(args, result);
      },
    }),
    onSubscribe: () => ({
      onSubscribeResult: ({ args, result }) => {
        if (!isAsyncIterable(result)) {
          logRefusals(args, result);
          return;
        }
        return { onNext: ({ args, result }) => logRefusals(args, result) };
      },
    }),
  };
}
