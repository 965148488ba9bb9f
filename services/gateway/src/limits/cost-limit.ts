import { complexityFromQuery } from '@pothos/plugin-complexity';
import {
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  GraphQLError,
  getOperationAST,
  Kind,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { queryTooComplex } from './query-too-complex.ts';

/**
 * The estimated cost of the operation about to run (field-cost.ts), with
 * its variables coerced as execution will coerce them; null when execution
 * will refuse it anyway (no such operation, variables that do not coerce).
 */
export function operationCost(args: ExecutionArgs): number | null {
  const operation = getOperationAST(args.document, args.operationName);
  if (!operation) return null;
  // Only the operation that runs (and the fragments it may spread) counts.
  const document: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: [operation, ...args.document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION)],
  };
  try {
    return complexityFromQuery(document, {
      schema: args.schema,
      ctx: (args.contextValue ?? {}) as object,
      // complexityFromQuery coerces the raw values itself (once): a DateTime
      // does not take its own output (a Date) as input.
      variables: (args.variableValues ?? {}) as Record<string, unknown>,
    }).complexity;
  } catch (error) {
    // Variables that do not coerce: execution refuses the operation itself.
    if (error instanceof GraphQLError) return null;
    throw error;
  }
}

/**
 * Refuses an operation whose cost is over `max` before its first resolver
 * runs. Not a validation rule: the cost depends on the variables (`first:
 * $n`), and Yoga caches validation by document, so a rule would let a
 * cheap first request vouch for a costly second one with the same text.
 * onExecute and onSubscribe run on every transport (HTTP, SSE, graphql-ws).
 */
export function useCostLimit(max: number): Plugin {
  const check = (args: ExecutionArgs, stop: (result: ExecutionResult) => void) => {
    const cost = operationCost(args);
    if (cost !== null && cost > max) {
      stop({
        errors: [
          queryTooComplex(
            `query cost ${cost} is over the limit of ${max} (CRH_GRAPHQL_MAX_COST): ask for fewer items (first) in nested lists`,
          ),
        ],
      });
    }
  };
  return {
    onExecute: ({ args, setResultAndStopExecution }) => check(args, setResultAndStopExecution),
    onSubscribe: ({ args, setResultAndStopExecution }) => check(args, setResultAndStopExecution),
  };
}
