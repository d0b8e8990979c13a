/**
 * Throwaway service containers for CI jobs (the repository-level integration job in ci.yml and
 * each service's own integration and contract jobs), pulled by digest; health checks make the job
 * wait until they answer, and each hands the tests a connection URL in a conventional variable.
 *
 * Two kinds:
 * - Docker official images (postgres, mysql, redis, mongodb, rabbitmq), named bare: their digests
 *   are pinned here from docker-library/repo-info (pins.ts), the official images' own record.
 * - Publishers' images no registry record pins for us (pgvector, Qdrant, the Pact broker, which
 *   seed 000 uses): the team names them by the digest it pulled,
 *   `pgvector/pgvector:pg16@sha256:<64 hex>`. No digest is invented here, and a tag alone is
 *   refused at config time (a moving tag is a supply-chain input nobody reviewed).
 */
import { ServiceContainer } from "./model";
import { imageRef, SERVICE_IMAGES } from "./pins";

export const CI_CONTAINER_NAMES = ["postgres", "mysql", "redis", "mongodb", "rabbitmq"] as const;
export type CiContainerName = (typeof CI_CONTAINER_NAMES)[number];

/** The publishers' images a team pins by digest, by the repository their references name. */
export const TEAM_PINNED_CONTAINERS = {
  pgvector: "pgvector/pgvector",
  qdrant: "qdrant/qdrant",
  "pact-broker": "pactfoundation/pact-broker",
} as const;
export type TeamPinnedContainer = keyof typeof TEAM_PINNED_CONTAINERS;

/** A container as configured: an official image's name, or a publisher's image by digest. */
export type ContainerChoice = CiContainerName | `${string}@sha256:${string}`;

/** Which job a container serves: the integration tests, or the contract tests (the Pact broker). */
export type ContainerJob = "integration" | "contract";

export interface CiContainer {
  /** The job's `services:` key, also the container's hostname on the job's network. */
  readonly key: CiContainerName | TeamPinnedContainer;
  readonly job: ContainerJob;
  readonly container: ServiceContainer;
  /** The variable the tests read and its value. */
  readonly url: readonly [string, string];
}

const health = (cmd: string) =>
  `--health-cmd ${cmd} --health-interval 5s --health-timeout 5s --health-retries 10`;

const POSTGRES_ENV = { POSTGRES_USER: "ci", POSTGRES_PASSWORD: "ci", POSTGRES_DB: "ci" };
// postgresql://: SQLAlchemy 1.4 and later refuse the postgres:// alias, which libpq and psycopg
// also accept.
const POSTGRES_URL = ["DATABASE_URL", "postgresql://ci:ci@localhost:5432/ci"] as const;

const OFFICIAL: Record<CiContainerName, Omit<CiContainer, "key" | "job">> = {
  postgres: {
    container: {
      image: imageRef(SERVICE_IMAGES.postgres),
      env: POSTGRES_ENV,
      ports: ["5432:5432"],
      options: health("pg_isready"),
    },
    url: POSTGRES_URL,
  },
  mysql: {
    container: {
      image: imageRef(SERVICE_IMAGES.mysql),
      env: { MYSQL_ROOT_PASSWORD: "ci", MYSQL_DATABASE: "ci" },
      ports: ["3306:3306"],
      options: health('"mysqladmin ping -h 127.0.0.1"'),
    },
    url: ["MYSQL_URL", "mysql://root:ci@localhost:3306/ci"],
  },
  redis: {
    container: {
      image: imageRef(SERVICE_IMAGES.redis),
      ports: ["6379:6379"],
      options: health('"redis-cli ping"'),
    },
    url: ["REDIS_URL", "redis://localhost:6379"],
  },
  mongodb: {
    container: {
      image: imageRef(SERVICE_IMAGES.mongodb),
      ports: ["27017:27017"],
      options: health("\"mongosh --quiet --eval 'db.runCommand({ ping: 1 })'\""),
    },
    url: ["MONGODB_URL", "mongodb://localhost:27017/ci"],
  },
  rabbitmq: {
    container: {
      image: imageRef(SERVICE_IMAGES.rabbitmq),
      env: { RABBITMQ_DEFAULT_USER: "ci", RABBITMQ_DEFAULT_PASS: "ci" },
      ports: ["5672:5672"],
      options: health('"rabbitmq-diagnostics -q ping"'),
    },
    url: ["RABBITMQ_URL", "amqp://ci:ci@localhost:5672/"],
  },
};

/** The Pact broker's port and the heartbeat its own compose tests wait on (pact-broker-docker). */
export const PACT_BROKER_URL = "http://localhost:9292";

const PUBLISHED: Record<
  TeamPinnedContainer,
  Omit<CiContainer, "key" | "container"> & {
    container: Omit<ServiceContainer, "image">;
  }
> = {
  // The postgres image with the vector extension built in: the same variables and health check.
  pgvector: {
    job: "integration",
    container: { env: POSTGRES_ENV, ports: ["5432:5432"], options: health("pg_isready") },
    url: POSTGRES_URL,
  },
  // The image is debian:12-slim with no curl (qdrant/qdrant Dockerfile): bash's /dev/tcp is the
  // probe its own shell offers. 6333 is REST, 6334 gRPC.
  qdrant: {
    job: "integration",
    container: {
      ports: ["6333:6333", "6334:6334"],
      options: health("\"bash -c ':> /dev/tcp/127.0.0.1/6333'\""),
    },
    url: ["QDRANT_URL", "http://localhost:6333"],
  },
  // SQLite inside the container (pact-broker-docker's docker-compose-test-sqlite.yml): a broker
  // that lives as long as the job. The image is Alpine, whose busybox has wget.
  "pact-broker": {
    job: "contract",
    container: {
      env: {
        PACT_BROKER_PORT: "9292",
        PACT_BROKER_DATABASE_ADAPTER: "sqlite",
        PACT_BROKER_DATABASE_NAME: "/tmp/pact_broker.sqlite3",
      },
      ports: ["9292:9292"],
      options: health('"wget -q -O /dev/null http://127.0.0.1:9292/diagnostic/status/heartbeat"'),
    },
    url: ["PACT_BROKER_BASE_URL", PACT_BROKER_URL],
  },
};

/** `<repository>:<tag>@sha256:<64 hex>`, Docker Hub's short form (no registry host). */
const PUBLISHED_REFERENCE =
  /^([a-z0-9]+(?:[._-][a-z0-9]+)*\/[a-z0-9]+(?:[._-][a-z0-9]+)*):([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})@sha256:[a-f0-9]{64}$/;

const REPOSITORY_KIND = new Map<string, TeamPinnedContainer>(
  Object.entries(TEAM_PINNED_CONTAINERS).map(([kind, repository]) => [
    repository,
    kind as TeamPinnedContainer,
  ]),
);

/** What a configured container choice must be, for a config error. */
export const CONTAINER_CHOICES = `one of ${CI_CONTAINER_NAMES.map((c) => `"${c}"`).join(", ")} (official images pinned by digest here), or ${Object.values(
  TEAM_PINNED_CONTAINERS,
)
  .map((r) => `${r}:<tag>@sha256:<digest>`)
  .join(", ")} pinned by the digest you pulled (docker buildx imagetools inspect <image>:<tag> prints it)`;

/** Why a configured container cannot be pulled as named, or undefined when it can. */
export function containerChoiceProblem(choice: string): string | undefined {
  if ((CI_CONTAINER_NAMES as readonly string[]).includes(choice)) return undefined;
  const kind = (TEAM_PINNED_CONTAINERS as Record<string, string>)[choice]
    ? (choice as TeamPinnedContainer)
    : REPOSITORY_KIND.get(choice.split(/[:@]/)[0]);
  if (kind && !PUBLISHED_REFERENCE.test(choice))
    return `${TEAM_PINNED_CONTAINERS[kind]}:<tag>@sha256:<digest>: ${kind} is not a Docker official image, so no publisher's record pins its digest here; name the digest you pulled (docker buildx imagetools inspect ${TEAM_PINNED_CONTAINERS[kind]}:<tag> prints it)`;
  if (kind) return undefined;
  return CONTAINER_CHOICES;
}

/** The container a valid choice names: its job, its service definition and its URL variable. */
export function ciContainer(choice: ContainerChoice): CiContainer {
  if ((CI_CONTAINER_NAMES as readonly string[]).includes(choice)) {
    const key = choice as CiContainerName;
    return { key, job: "integration", ...OFFICIAL[key] };
  }
  const match = PUBLISHED_REFERENCE.exec(choice);
  const key = match && REPOSITORY_KIND.get(match[1]);
  if (!key) throw new Error(`${choice}: ${CONTAINER_CHOICES}`);
  const p = PUBLISHED[key];
  return { key, job: p.job, url: p.url, container: { image: choice, ...p.container } };
}

/** The containers of one job, as its `services:` and `env:`. */
export function jobContainers(
  choices: readonly ContainerChoice[],
  job: ContainerJob,
): { services: Record<string, ServiceContainer>; env: Record<string, string> } | undefined {
  const mine = choices.map(ciContainer).filter((c) => c.job === job);
  if (mine.length === 0) return undefined;
  return {
    services: Object.fromEntries(mine.map((c) => [c.key, c.container])),
    env: Object.fromEntries(mine.map((c) => c.url)),
  };
}

/** The official images' services (the platform repository's own integration job). */
export const CONTAINERS = Object.fromEntries(CI_CONTAINER_NAMES.map((n) => [n, ciContainer(n)])) as Record<
  CiContainerName,
  CiContainer
>;
