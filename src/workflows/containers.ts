/**
 * Throwaway service containers for integration jobs (the repository-level one in ci.yml and each
 * service's own), pulled by digest (pins.ts); health checks make the job wait until they answer,
 * and each hands the tests a connection URL in a conventional variable.
 *
 * pgvector and Qdrant, which seed 000 uses, are not offered: neither is a Docker official image,
 * so docker-library/repo-info records no digest for them, and no digest is pinned here that the
 * image's publisher has not recorded.
 */
import { ServiceContainer } from "./model";
import { imageRef, SERVICE_IMAGES } from "./pins";

export const CI_CONTAINER_NAMES = ["postgres", "mysql", "redis", "mongodb", "rabbitmq"] as const;
export type CiContainerName = (typeof CI_CONTAINER_NAMES)[number];

const health = (cmd: string) =>
  `--health-cmd ${cmd} --health-interval 5s --health-timeout 5s --health-retries 10`;

export const CONTAINERS: Record<CiContainerName, { container: ServiceContainer; url: [string, string] }> = {
  postgres: {
    container: {
      image: imageRef(SERVICE_IMAGES.postgres),
      env: { POSTGRES_USER: "ci", POSTGRES_PASSWORD: "ci", POSTGRES_DB: "ci" },
      ports: ["5432:5432"],
      options: health("pg_isready"),
    },
    // postgresql://: SQLAlchemy 1.4 and later refuse the postgres:// alias, which libpq and
    // psycopg also accept.
    url: ["DATABASE_URL", "postgresql://ci:ci@localhost:5432/ci"],
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
