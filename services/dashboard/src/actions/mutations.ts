import { graphql } from '../graphql/graphql.ts';

// Each answer waits until the read models show the event (read-your-writes), so a refresh right after sees it.

export const LogContact = graphql(`
  mutation LogContact($input: LogContactInput!) {
    logContact(input: $input) {
      id
      occurredAt
    }
  }
`);

export const MakePromise = graphql(`
  mutation MakePromise($input: MakePromiseInput!) {
    makePromise(input: $input) {
      id
      data
    }
  }
`);

export const KeepPromise = graphql(`
  mutation KeepPromise($customerId: ID!, $promiseId: ID!) {
    keepPromise(customerId: $customerId, promiseId: $promiseId) {
      id
    }
  }
`);
