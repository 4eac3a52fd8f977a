#!/usr/bin/env bash
# Creates rapport's topics on a real Kafka cluster with Apache Kafka's CLI.
# Usage: deploy/create-topics.sh kafka1:9092 [partitions]
set -euo pipefail
brokers=${1:?usage: $0 BOOTSTRAP_SERVERS [PARTITIONS]}
partitions=${2:-12}
topics_cmd=${KAFKA_TOPICS:-kafka-topics.sh}

create() {
  "$topics_cmd" --bootstrap-server "$brokers" --create --if-not-exists --topic "$1" \
    --partitions "$2" --replication-factor 3 --config min.insync.replicas=2 "${@:3}"
}

create rapport.interactions "$partitions"
create rapport.churn-alerts "$partitions"
create rapport.dead-letter 3 --config retention.ms=2592000000
# The latest fitted model parameters per model name (rapport model fit).
create rapport.model-parameters 1 --config cleanup.policy=compact
# Scale-out (docs/scaling.md): who owns which partition. One partition orders every
# claim; compaction keeps each instance's latest record.
create rapport.instances 1 --config cleanup.policy=compact
# Credentials (docs/security.md): token hashes and roles, keyed by name; compaction
# keeps each credential's latest record (a revocation included).
create rapport.credentials 1 --config cleanup.policy=compact
