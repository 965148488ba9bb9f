import { isAsyncIterable, type Plugin } from 'graphql-yoga';

/** A mutation that succeeded with a caveat the client should know about. */
export interface WriteWarning {
  code: 'READ_MODELS_LAG';
  message: string;
  /** The mutation field the warning is about. */
  path: readonly (string | number)[];
}

// Keyed by the operation's context object: resolvers note warnings without a
// field of their own on the context, and they go when the request does.
const pending = new WeakMap<object, WriteWarning[]>();

export function noteWarning(context: object, warning: WriteWarning): void {
  const list = pending.get(context);
  if (list) list.push(warning);
  else pending.set(context, [warning]);
}

/**
 * Adds the warnings resolvers noted to the answer's `extensions.warnings`,
 * next to the data: a warning is not an error, the mutation's data stands.
 */
export function useWriteWarnings(): Plugin {
  return {
    onExecute({ args }) {
      return {
        onExecuteDone({ result, setResult }) {
          const warnings = pending.get(args.contextValue as object);
          if (!warnings || isAsyncIterable(result)) return;
          setResult({ ...result, extensions: { ...result.extensions, warnings } });
        },
      };
    },
  };
}
