import DataLoader from 'dataloader';

/** What one item of a list asks for: its customer, and the field's arguments. */
export interface PerCustomerKey<Args> {
  customerId: string;
  args: Args;
}

/**
 * A request's loader for a field of each relationship of a list: every item
 * asking with the same arguments (all of a list's items do: they share the
 * query's field) is answered by one `load` of all their customers, so a list
 * of 500 costs one query, not 500. Answers are cached for the request.
 */
export function perCustomerLoader<Args, T>(
  load: (customerIds: readonly string[], args: Args) => Promise<ReadonlyMap<string, T[]>>,
): DataLoader<PerCustomerKey<Args>, T[], string> {
  return new DataLoader(
    async (keys) => {
      const groups = new Map<string, { args: Args; customerIds: Set<string> }>();
      for (const { customerId, args } of keys) {
        const argsKey = JSON.stringify(args);
        const group = groups.get(argsKey) ?? { args, customerIds: new Set() };
        group.customerIds.add(customerId);
        groups.set(argsKey, group);
      }
      const answers = new Map<string, ReadonlyMap<string, T[]>>();
      await Promise.all(
        [...groups].map(async ([argsKey, group]) => {
          answers.set(argsKey, await load([...group.customerIds], group.args));
        }),
      );
      return keys.map((key) => answers.get(JSON.stringify(key.args))?.get(key.customerId) ?? []);
    },
    { cacheKeyFn: (key) => JSON.stringify([key.customerId, key.args]) },
  );
}
