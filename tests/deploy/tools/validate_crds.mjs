// Validates ServiceMonitor and PrometheusRule resources against the Prometheus
// Operator's CRD schemas (as compiled into @kubernetes-models/prometheus-operator).
// stdin: a JSON array of resources; stdout: a JSON array of {kind, name, error}, where
// error is null for a valid resource. Used by tests/deploy/test_kubernetes.py.
import { readFileSync } from "node:fs";
import { PrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";
import { ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";

const models = { PrometheusRule, ServiceMonitor };
const resources = JSON.parse(readFileSync(0, "utf8"));
const results = resources.map((resource) => {
  const Model = models[resource.kind];
  if (!Model || resource.apiVersion !== "monitoring.coreos.com/v1") {
    return { kind: resource.kind, name: resource.metadata?.name, error: "no schema for this kind" };
  }
  try {
    new Model(resource).validate();
    return { kind: resource.kind, name: resource.metadata?.name, error: null };
  } catch (error) {
    return { kind: resource.kind, name: resource.metadata?.name, error: String(error.message ?? error) };
  }
});
process.stdout.write(JSON.stringify(results));
