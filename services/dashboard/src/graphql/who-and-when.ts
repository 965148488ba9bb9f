import { graphql, type ResultOf } from './graphql.ts';

/** Who is signed in and the organisation's day: asked once, shared by every view. */
export const WhoAndWhen = graphql(`
  query WhoAndWhen {
    viewer {
      subject
      roles
      accountManagerId
      readsEveryBook
      mayAct
    }
    organisation {
      timeZone
      today
      tierThresholds {
        tier
        quietAfterDays
        neglectedAfterDays
      }
    }
  }
`);

export type Viewer = ResultOf<typeof WhoAndWhen>['viewer'];
export type Organisation = ResultOf<typeof WhoAndWhen>['organisation'];
