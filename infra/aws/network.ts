/**
 * The portal's network: one VPC over two availability zones, public subnets for the ALB and,
 * when `natGateway` is on, private subnets for the tasks behind one NAT gateway.
 *
 * Cost choice: a NAT gateway costs about 33 USD a month plus traffic, per AZ. Production pays for
 * one (tasks without public IPs); sandbox and previews run tasks in the public subnets with a
 * public IP (outbound only: their security group admits nothing but the ALB).
 *
 * Previews declare no network: they run in sandbox's, read through the StackReference
 * (`SharedNetwork`), because the default quota is five VPCs per region.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** What the front door and the service need of a network, wherever it was declared. */
export interface PortalNetwork {
  readonly vpcId: pulumi.Input<string>;
  readonly vpcCidrBlock: pulumi.Input<string>;
  /** Two subnets in two zones, for the ALB. */
  readonly publicSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** Where the tasks run. */
  readonly taskSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** Whether tasks need a public IP to reach ECR, Secrets Manager and Auth0. */
  readonly assignPublicIp: pulumi.Input<boolean>;
  /**
   * What must exist before an internet-facing ALB is created: the internet gateway and the public
   * subnets' routes (creating the ALB first fails intermittently: "VPC has no internet gateway").
   * Empty for a network another stack declared (it exists already).
   */
  readonly internetRoutes?: pulumi.Resource[];
  /**
   * What must exist before tasks start: the routes that take them out to ECR, Secrets Manager
   * and Auth0 (with a NAT gateway: the NAT gateway and the private subnets' routes).
   */
  readonly taskRoutes?: pulumi.Resource[];
}

/** A network as a stack output (sandbox exports it; previews read it). */
export interface SharedNetworkOutput {
  vpcId: string;
  vpcCidrBlock: string;
  publicSubnetIds: string[];
  taskSubnetIds: string[];
  assignPublicIp: boolean;
}

/** Checks another stack's `network` output; throws naming what is missing. */
export function parseSharedNetwork(n: unknown): SharedNetworkOutput {
  const v = n as Partial<SharedNetworkOutput> | null | undefined;
  const ok =
    typeof v?.vpcId === "string" &&
    typeof v.vpcCidrBlock === "string" &&
    Array.isArray(v.publicSubnetIds) &&
    v.publicSubnetIds.length >= 2 &&
    Array.isArray(v.taskSubnetIds) &&
    v.taskSubnetIds.length >= 1 &&
    typeof v.assignPublicIp === "boolean";
  if (!ok) {
    throw new Error(
      `the shared network output must have vpcId, vpcCidrBlock, two publicSubnetIds, taskSubnetIds and assignPublicIp, got ${JSON.stringify(n)}`,
    );
  }
  return v as SharedNetworkOutput;
}

/** Another stack's network, from its `SharedNetworkOutput` (e.g. `requireOutput("network")`). */
export function sharedNetwork(output: pulumi.Output<SharedNetworkOutput>): PortalNetwork {
  const valid = output.apply(parseSharedNetwork);
  return {
    vpcId: valid.vpcId,
    vpcCidrBlock: valid.vpcCidrBlock,
    publicSubnetIds: valid.publicSubnetIds,
    taskSubnetIds: valid.taskSubnetIds,
    // As the exporting stack runs its tasks: sandbox's are in public subnets with a public IP.
    assignPublicIp: valid.assignPublicIp,
  };
}

export interface NetworkArgs {
  /** Two availability zones, e.g. ["eu-west-1a", "eu-west-1b"] (an ALB needs two). */
  readonly availabilityZones: pulumi.Input<string>[];
  /** Tasks in private subnets behind a NAT gateway (true) or in public subnets (false). */
  readonly natGateway: boolean;
  /** The VPC's /16 block. */
  readonly cidrBlock?: string;
  readonly tags: Record<string, string>;
}

export class Network extends pulumi.ComponentResource implements PortalNetwork {
  readonly vpc: aws.ec2.Vpc;
  readonly publicSubnets: aws.ec2.Subnet[];
  /** Where the tasks run: private subnets with a NAT gateway, else the public ones. */
  readonly taskSubnets: aws.ec2.Subnet[];
  /** Whether tasks need a public IP to reach ECR, Secrets Manager and Auth0. */
  readonly assignPublicIp: boolean;
  readonly internetRoutes: pulumi.Resource[] = [];
  readonly taskRoutes: pulumi.Resource[] = [];

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("astral:aws:Network", name, {}, opts);
    if (args.availabilityZones.length < 2) {
      throw new Error(
        `Network ${name}: an ALB needs two availability zones, got ${args.availabilityZones.length}`,
      );
    }
    const cidr = args.cidrBlock ?? "10.40.0.0/16";
    const prefix = cidr.split(".").slice(0, 2).join(".");
    const parent = { parent: this };
    const tags = (suffix: string) => ({ ...args.tags, Name: `${name}-${suffix}` });

    this.vpc = new aws.ec2.Vpc(
      `${name}-vpc`,
      { cidrBlock: cidr, enableDnsHostnames: true, enableDnsSupport: true, tags: tags("vpc") },
      parent,
    );
    const igw = new aws.ec2.InternetGateway(
      `${name}-igw`,
      { vpcId: this.vpc.id, tags: tags("igw") },
      parent,
    );
    this.internetRoutes.push(igw);
    const publicRoutes = new aws.ec2.RouteTable(
      `${name}-public`,
      {
        vpcId: this.vpc.id,
        routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }],
        tags: tags("public"),
      },
      parent,
    );
    this.publicSubnets = args.availabilityZones.slice(0, 2).map((az, i) => {
      const subnet = new aws.ec2.Subnet(
        `${name}-public-${i}`,
        {
          vpcId: this.vpc.id,
          availabilityZone: az,
          cidrBlock: `${prefix}.${i}.0/24`,
          mapPublicIpOnLaunch: false,
          tags: tags(`public-${i}`),
        },
        parent,
      );
      this.internetRoutes.push(
        new aws.ec2.RouteTableAssociation(
          `${name}-public-${i}`,
          { subnetId: subnet.id, routeTableId: publicRoutes.id },
          parent,
        ),
      );
      return subnet;
    });

    if (!args.natGateway) {
      this.taskSubnets = this.publicSubnets;
      this.assignPublicIp = true;
      this.taskRoutes.push(...this.internetRoutes);
    } else {
      const natSubnet = this.publicSubnets[0] as aws.ec2.Subnet; // two exist: checked above
      const eip = new aws.ec2.Eip(`${name}-nat`, { domain: "vpc", tags: tags("nat") }, parent);
      const nat = new aws.ec2.NatGateway(
        `${name}-nat`,
        { allocationId: eip.id, subnetId: natSubnet.id, tags: tags("nat") },
        { parent: this, dependsOn: [igw] },
      );
      this.taskRoutes.push(nat);
      const privateRoutes = new aws.ec2.RouteTable(
        `${name}-private`,
        {
          vpcId: this.vpc.id,
          routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }],
          tags: tags("private"),
        },
        parent,
      );
      this.taskSubnets = args.availabilityZones.slice(0, 2).map((az, i) => {
        const subnet = new aws.ec2.Subnet(
          `${name}-private-${i}`,
          {
            vpcId: this.vpc.id,
            availabilityZone: az,
            cidrBlock: `${prefix}.${10 + i}.0/24`,
            tags: tags(`private-${i}`),
          },
          parent,
        );
        this.taskRoutes.push(
          new aws.ec2.RouteTableAssociation(
            `${name}-private-${i}`,
            { subnetId: subnet.id, routeTableId: privateRoutes.id },
            parent,
          ),
        );
        return subnet;
      });
      this.assignPublicIp = false;
    }
    this.registerOutputs({ vpcId: this.vpc.id });
  }

  get vpcId(): pulumi.Output<string> {
    return this.vpc.id;
  }
  get vpcCidrBlock(): pulumi.Output<string> {
    return this.vpc.cidrBlock;
  }
  get publicSubnetIds(): pulumi.Output<string>[] {
    return this.publicSubnets.map((s) => s.id);
  }
  get taskSubnetIds(): pulumi.Output<string>[] {
    return this.taskSubnets.map((s) => s.id);
  }

  /** The network as a plain stack output, for other stacks to run in. */
  shared(): pulumi.Output<SharedNetworkOutput> {
    return pulumi
      .all([this.vpcId, this.vpcCidrBlock, this.publicSubnetIds, this.taskSubnetIds])
      .apply(([vpcId, vpcCidrBlock, publicSubnetIds, taskSubnetIds]) => ({
        vpcId,
        vpcCidrBlock,
        publicSubnetIds,
        taskSubnetIds,
        assignPublicIp: this.assignPublicIp,
      }));
  }
}

/**
 * The region's first two available zones, asked of AWS: zone letters differ per region and account
 * (ap-northeast-1 offers no 1b to new accounts; us-west-1 accounts see two of a, b, c). Only the
 * region's own Availability Zones: Local Zones and Wavelength Zones of an account that opted in
 * are listed too, with `opt-in-status` "opted-in" (Availability Zones always have
 * "opt-in-not-required": EC2 API Reference, AvailabilityZone.OptInStatus and the
 * DescribeAvailabilityZones `opt-in-status` filter,
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeAvailabilityZones.html), and
 * an ALB or Fargate cannot use them.
 */
export const AVAILABILITY_ZONE_FILTER = {
  state: "available",
  filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
};

export function twoAvailabilityZones(region: string): pulumi.Output<string>[] {
  const names = aws.getAvailabilityZonesOutput(AVAILABILITY_ZONE_FILTER).names;
  return [0, 1].map((i) =>
    names.apply((all) => {
      const zone = [...all].sort()[i];
      if (!zone) throw new Error(`${region} has fewer than two available zones: ${all.join(", ")}`);
      return zone;
    }),
  );
}
