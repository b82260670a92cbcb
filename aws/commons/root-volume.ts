import type { BlockDeviceMapping, Image } from '@aws-sdk/client-ec2';

/**
 * The root volume of an instance launched from `image`: encrypted gp3, deleted with the instance, of the image's
 * own root size. The EC2 API reference says of an EBS block device "You must specify either a snapshot ID or a
 * volume size"; EC2 itself takes the image's snapshot when a root mapping gives neither. Naming the image's root
 * size makes the request valid under both readings (moto 5.2.1 follows the first and refuses it otherwise).
 */
export function rootVolumeMapping(image: Image | undefined) {
  const device = image?.RootDeviceName ?? '/dev/xvda';
  const size = image?.BlockDeviceMappings?.find((m: BlockDeviceMapping) => m.DeviceName === device)?.Ebs
    ?.VolumeSize;
  return {
    DeviceName: device,
    Ebs: {
      Encrypted: true,
      VolumeType: 'gp3' as const,
      DeleteOnTermination: true,
      ...(size ? { VolumeSize: size } : {}),
    },
  };
}
