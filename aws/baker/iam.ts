import { arns, type IamStatement, MANAGED_BY_CONDITION, TAGGED_ON_CREATE } from '../commons/iam-statement.js';

/** What reading and removing images needs (Ec2ImageCatalog). */
export const EC2_IMAGE_CATALOG_IAM: IamStatement[] = [
  {
    sid: 'DiscardOnlyItsImages',
    actions: ['ec2:DeregisterImage', 'ec2:DeleteSnapshot'],
    resources: [arns.image, arns.snapshot],
    conditions: MANAGED_BY_CONDITION,
    why: 'retention and compensation remove only images and snapshots bakeshift made',
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
  },
];

/** What the EC2 image baker needs (the catalog's too). `${ArtifactBucket}`, `${ReleaseTable}` are filled by the CDK app. */
export const EC2_BAKER_IAM: IamStatement[] = [
  ...EC2_IMAGE_CATALOG_IAM,
  {
    sid: 'DescribeBuilders',
    actions: ['ec2:DescribeInstances'],
    resources: ['*'],
    why: 'EC2 Describe* actions support no resource-level permissions',
  },
  {
    sid: 'ReadProviderSettings',
    actions: ['ssm:GetParameter'],
    resources: [arns.parameter('/bakeshift/provider')],
    why: 'the builder network and artifact bucket, written by the CDK app',
  },
  {
    sid: 'LaunchTaggedBuilders',
    actions: ['ec2:RunInstances'],
    resources: [arns.ec2('instance'), arns.ec2('volume')],
    conditions: TAGGED_ON_CREATE,
    why: 'a builder and its volume must carry managed-by=bakeshift from the start',
  },
  {
    sid: 'LaunchBuildersIntoTheBuilderNetwork',
    actions: ['ec2:RunInstances'],
    resources: [arns.ec2('subnet'), arns.ec2('security-group'), arns.ec2('network-interface'), arns.image],
    why: 'RunInstances also authorizes the subnet, security group, network interface and base image it uses',
  },
  {
    sid: 'TagOnlyWhatItCreates',
    actions: ['ec2:CreateTags'],
    resources: [arns.ec2('instance'), arns.ec2('volume'), arns.image, arns.snapshot],
    conditions: { StringEquals: { 'ec2:CreateAction': ['RunInstances', 'CreateImage'] } },
    why: 'tags are written only as part of the creating call',
  },
  {
    sid: 'ImageOnlyItsBuilders',
    actions: ['ec2:CreateImage', 'ec2:TerminateInstances', 'ec2:GetConsoleOutput'],
    resources: [arns.ec2('instance')],
    conditions: MANAGED_BY_CONDITION,
    why: 'images are made from, terminations hit and reports are read from only instances bakeshift launched',
  },
  {
    sid: 'CreateTaggedImages',
    actions: ['ec2:CreateImage'],
    resources: [arns.image, arns.snapshot],
    conditions: TAGGED_ON_CREATE,
    why: 'the AMI and its snapshot carry managed-by=bakeshift from the start',
  },
  {
    sid: 'PresignArtifactsAndReadBakeResults',
    actions: ['s3:GetObject', 's3:GetObjectVersion'],
    resources: ['arn:${AWS::Partition}:s3:::${ArtifactBucket}/*'],
    why: "presigned GET URLs carry the signer's permission; the bake result is read back",
  },
  {
    sid: 'TellMissingBakeResultsFromDenied',
    actions: ['s3:ListBucket'],
    resources: ['arn:${AWS::Partition}:s3:::${ArtifactBucket}'],
    why: 'without ListBucket, S3 answers 403 instead of 404 for a result not reported yet (S3 GetObject reference)',
  },
  {
    sid: 'PresignBakeResults',
    actions: ['s3:PutObject'],
    resources: ['arn:${AWS::Partition}:s3:::${ArtifactBucket}/bake-results/*'],
    why: 'the builder uploads its outcome through a presigned PUT, only under bake-results/',
  },
  {
    sid: 'BakeLedger',
    actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    resources: ['arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${ReleaseTable}'],
    why: 'bake progress is kept in the release table',
  },
];
