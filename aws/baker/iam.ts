import { arns, type IamStatement, MANAGED_BY_CONDITION, TAGGED_ON_CREATE } from '../commons/iam-statement.js';

/** What reading and removing images needs (Ec2ImageCatalog). */
export const EC2_IMAGE_CATALOG_IAM: IamStatement[] = [
  {
    sid: 'DiscardOnlyItsImages',
    actions: ['ec2:DeregisterImage', 'ec2:DeleteSnapshot'],
    resources: [arns.image, arns.snapshot],
    conditions: MANAGED_BY_CONDITION,
    why: 'retention and compensation remove only images and snapshots bakeshift made',
    serves: ['discard'],
  },
  {
    sid: 'DescribeImages',
    actions: ['ec2:DescribeImages'],
    resources: ['*'],
    why: 'EC2 Describe* actions support no resource-level permissions',
  },
  {
    sid: 'ResolveBaseImages',
    actions: ['ssm:GetParameter'],
    resources: [arns.publicParameter('/aws/service/*')],
    why: 'base AMIs are named by public SSM parameters (e.g. the latest Amazon Linux 2023), whose ARNs have no account',
    serves: ['resolveBase'],
  },
];

/**
 * What the EC2 image baker needs (the catalog's too), by operation: `start` launches a builder, `advance` moves
 * a bake on (report, image, outcome), `cancel` stops one. `${ArtifactBucket}`, `${ReleaseTable}` are filled by
 * the CDK app.
 */
export const EC2_BAKER_IAM: IamStatement[] = [
  ...EC2_IMAGE_CATALOG_IAM,
  {
    sid: 'DescribeBuilders',
    actions: ['ec2:DescribeInstances'],
    resources: ['*'],
    why: 'EC2 Describe* actions support no resource-level permissions; cancel finds a builder its start did not record',
    serves: ['start', 'advance', 'cancel'],
  },
  {
    sid: 'ReadProviderSettings',
    actions: ['ssm:GetParameter'],
    resources: [arns.parameter('/bakeshift/provider')],
    why: 'the builder network and artifact bucket, written by the CDK app',
    serves: ['start', 'advance'],
  },
  {
    sid: 'LaunchTaggedBuilders',
    actions: ['ec2:RunInstances'],
    resources: [arns.ec2('instance'), arns.ec2('volume')],
    conditions: TAGGED_ON_CREATE,
    why: 'a builder and its volume must carry managed-by=bakeshift from the start',
    serves: ['start'],
  },
  {
    sid: 'LaunchBuildersIntoTheBuilderNetwork',
    actions: ['ec2:RunInstances'],
    resources: [arns.ec2('subnet'), arns.ec2('security-group'), arns.ec2('network-interface'), arns.image],
    why: 'RunInstances also authorizes the subnet, security group, network interface and base image it uses',
    serves: ['start'],
  },
  {
    sid: 'TagBuildersOnLaunch',
    actions: ['ec2:CreateTags'],
    resources: [arns.ec2('instance'), arns.ec2('volume')],
    conditions: { StringEquals: { 'ec2:CreateAction': 'RunInstances' } },
    why: 'tags are written only as part of the launch',
    serves: ['start'],
  },
  {
    sid: 'TagImagesOnCreate',
    actions: ['ec2:CreateTags'],
    resources: [arns.image, arns.snapshot],
    conditions: { StringEquals: { 'ec2:CreateAction': 'CreateImage' } },
    why: 'tags are written only as part of CreateImage',
    serves: ['advance'],
  },
  {
    sid: 'ImageOnlyItsBuilders',
    actions: ['ec2:CreateImage', 'ec2:GetConsoleOutput'],
    resources: [arns.ec2('instance')],
    conditions: MANAGED_BY_CONDITION,
    why: 'images are made from, and reports read from the console of, only instances bakeshift launched',
    serves: ['advance'],
  },
  {
    sid: 'TerminateOnlyItsBuilders',
    actions: ['ec2:TerminateInstances'],
    resources: [arns.ec2('instance')],
    conditions: MANAGED_BY_CONDITION,
    why: 'terminations hit only instances bakeshift launched',
    serves: ['advance', 'cancel'],
  },
  {
    sid: 'CreateTaggedImages',
    actions: ['ec2:CreateImage'],
    resources: [arns.image, arns.snapshot],
    conditions: TAGGED_ON_CREATE,
    why: 'the AMI and its snapshot carry managed-by=bakeshift from the start',
    serves: ['advance'],
  },
  {
    sid: 'PresignArtifacts',
    actions: ['s3:GetObjectVersion', 's3:GetObject'],
    resources: ['arn:${AWS::Partition}:s3:::${ArtifactBucket}/*'],
    why: "the builder downloads the artifact through a presigned GET, which carries the signer's permission: GetObjectVersion for the exact version, GetObject when the request names none (versionId is optional)",
    serves: ['start'],
  },
  {
    sid: 'PresignBakeResults',
    actions: ['s3:PutObject'],
    resources: ['arn:${AWS::Partition}:s3:::${ArtifactBucket}/bake-results/*'],
    why: 'the builder uploads its outcome through a presigned PUT, only under bake-results/',
    serves: ['start'],
  },
  {
    sid: 'ReadBakeResults',
    actions: ['s3:GetObject'],
    resources: ['arn:${AWS::Partition}:s3:::${ArtifactBucket}/bake-results/*'],
    why: "the builder's report is read back",
    serves: ['advance'],
  },
  {
    sid: 'TellMissingBakeResultsFromDenied',
    actions: ['s3:ListBucket'],
    resources: ['arn:${AWS::Partition}:s3:::${ArtifactBucket}'],
    why: 'without ListBucket, S3 answers 403 instead of 404 for a result not reported yet (S3 GetObject reference)',
    serves: ['advance'],
  },
  {
    sid: 'BakeLedger',
    actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    resources: ['arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${ReleaseTable}'],
    why: 'bake progress is kept in the release table',
  },
];
