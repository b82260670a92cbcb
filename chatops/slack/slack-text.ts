/**
 * Text shown in Slack as it is written: Slack reads `<…>` in messages as links and mentions (`<!channel>`,
 * `<https://…|label>`), so `&`, `<` and `>` are escaped as Slack's formatting guide says. Versions, requesters
 * and failure causes are typed by whoever requests a deployment, who need not be an approver.
 */
export const slackText = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
