import * as z from 'zod';

/** An IANA time zone the runtime knows (the congruence schedule's and the deployment windows'). */
export const TimeZone = z.string().refine(
  (zone) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be an IANA time zone such as Europe/Paris or UTC' },
);
