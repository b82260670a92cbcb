import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { type AwsCall, queryParams, xmlAnswer } from '../support/moto-front.js';
import type { MotoShim } from './index.js';

const EC2_XMLNS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

/**
 * DeleteLaunchTemplateVersions, which moto lacks: the front keeps the deleted versions (by launch template id,
 * for the life of the stack) and leaves them out of DescribeLaunchTemplateVersions' answers; the default version is refused as EC2
 * refuses it.
 */
export const deleteLaunchTemplateVersions = (): MotoShim => {
  const deleted = new Set<string>();
  const parser = new XMLParser({
    ignoreAttributes: false,
    isArray: (name) => name === 'item',
    parseTagValue: false,
  });
  const builder = new XMLBuilder({ ignoreAttributes: false });
  return {
    operation: 'ec2:DeleteLaunchTemplateVersions',
    moto: {
      source:
        'moto/ec2/responses/launch_templates.py has no delete_launch_template_versions; moto/core/responses.py:563 raises NotImplementedError("The DeleteLaunchTemplateVersions action has not been implemented")',
      does: 'the call fails: versions can never be deleted',
    },
    aws: {
      reference:
        'https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteLaunchTemplateVersions.html',
      says: "Deletes one or more versions of a launch template. You can't delete the default version of a launch template; you must first assign a different version as the default.",
    },
    layer: async (call, next) => {
      if (call.service !== 'ec2') return next(call);
      if (call.action === 'DeleteLaunchTemplateVersions') return remove(call, next);
      if (call.action !== 'DescribeLaunchTemplateVersions') return next(call);
      const answer = await next(call);
      if (answer.status !== 200) return answer;
      const document = parser.parse(answer.body.toString('utf8'));
      const response = document.DescribeLaunchTemplateVersionsResponse;
      const set = response?.launchTemplateVersionSet;
      if (set?.item)
        set.item = set.item.filter(
          (v: { launchTemplateId: string; versionNumber: string }) =>
            !deleted.has(`${v.launchTemplateId}:${v.versionNumber}`),
        );
      return { ...answer, body: Buffer.from(builder.build(document), 'utf8') };
    },
  };

  async function remove(
    call: AwsCall,
    next: (call: AwsCall) => Promise<import('../support/moto-front.js').AwsAnswer>,
  ) {
    const params = queryParams(call);
    const name = params.get('LaunchTemplateName') ?? '';
    const versions = [...params.entries()]
      .filter(([k]) => /^LaunchTemplateVersion\.\d+$/.test(k))
      .map(([, v]) => v);
    const describe = new URLSearchParams({
      Action: 'DescribeLaunchTemplateVersions',
      Version: '2016-11-15',
      LaunchTemplateName: name,
    });
    const existing =
      parser.parse(
        (
          await next({
            ...call,
            action: 'DescribeLaunchTemplateVersions',
            body: Buffer.from(describe.toString()),
          })
        ).body.toString('utf8'),
      ).DescribeLaunchTemplateVersionsResponse?.launchTemplateVersionSet?.item ?? [];
    const id = existing[0]?.launchTemplateId ?? '';
    const ok: string[] = [];
    const refused: [string, string, string][] = [];
    for (const version of versions) {
      const found = existing.find((v: { versionNumber: string }) => v.versionNumber === version);
      if (!found || deleted.has(`${id}:${version}`))
        refused.push([
          version,
          'launchTemplateVersionDoesNotExist',
          'the launch template version does not exist',
        ]);
      else if (found.defaultVersion === 'true')
        refused.push([version, 'launchTemplateVersionIsDefault', 'the default version cannot be deleted']);
      else {
        deleted.add(`${id}:${version}`);
        ok.push(version);
      }
    }
    const item = (v: string) =>
      `<item><launchTemplateId>${id}</launchTemplateId><launchTemplateName>${name}</launchTemplateName><versionNumber>${v}</versionNumber></item>`;
    return xmlAnswer(
      200,
      `<DeleteLaunchTemplateVersionsResponse xmlns="${EC2_XMLNS}"><requestId>shim</requestId><successfullyDeletedLaunchTemplateVersionSet>${ok.map(item).join('')}</successfullyDeletedLaunchTemplateVersionSet><unsuccessfullyDeletedLaunchTemplateVersionSet>${refused
        .map(
          ([v, code, message]) =>
            `<item><launchTemplateId>${id}</launchTemplateId><launchTemplateName>${name}</launchTemplateName><versionNumber>${v}</versionNumber><responseError><code>${code}</code><message>${message}</message></responseError></item>`,
        )
        .join('')}</unsuccessfullyDeletedLaunchTemplateVersionSet></DeleteLaunchTemplateVersionsResponse>`,
    );
  }
};
