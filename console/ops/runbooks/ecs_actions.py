"""The ECS actions of the registry.

- `ecs.scale_service`: set an ECS service's desired count, as the guide's High CPU runbook does
  (`aws ecs update-service --desired-count 4`), within the service's autoscaling bounds and never above 10.
- `ecs.force_new_deployment`: replace a service's tasks with new ones of the same task definition, as the guide's
  Application Deployment does after pushing an image (`aws ecs update-service --force-new-deployment`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel, ConfigDict, Field

from console.ops.aws import describe_error
from console.ops.checks import format_duration
from console.ops.guide import Resources
from console.ops.runbooks.actions import Action, Env, Executed, Observation, Preview, Risk

MAX_TASKS = 10  # the guide's autoscaling max_capacity (ADR-002)


class ScaleParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cluster: str = Resources().ecs_cluster
    service: str = Resources().api_service
    desired_count: int = Field(ge=1, le=MAX_TASKS)


@dataclass(frozen=True)
class ScalePlan:
    cluster: str
    service: str
    current: int
    desired: int


class ScaleService(Action[ScaleParams]):
    name = "ecs.scale_service"
    risk = Risk.MEDIUM  # changes capacity of a running service; reversible
    params = ScaleParams
    operation = "UpdateService"
    verify_timeout = dt.timedelta(minutes=10)
    poll = dt.timedelta(seconds=10)

    def preview(self, params: ScaleParams, env: Env, findings: Mapping[str, Any]) -> Preview:
        region = env.profile.region
        blocked: str | None = None
        current, running, pending = 0, 0, 0
        low, high, scaling = 1, MAX_TASKS, False
        try:
            service = _service(env, params.cluster, params.service)
            current, running, pending = service["desiredCount"], service["runningCount"], service["pendingCount"]
            if service.get("status") != "ACTIVE":
                blocked = f"the service is {service.get('status')}"
            targets = (
                env.clients.client("application-autoscaling")
                .describe_scalable_targets(
                    ServiceNamespace="ecs",
                    ResourceIds=[f"service/{params.cluster}/{params.service}"],
                    ScalableDimension="ecs:service:DesiredCount",
                )
                .get("ScalableTargets", [])
            )
            if targets:
                scaling = True
                low, high = targets[0]["MinCapacity"], min(targets[0]["MaxCapacity"], MAX_TASKS)
        except LookupError as exc:
            blocked = str(exc.args[0])
        except (BotoCoreError, ClientError) as exc:
            blocked = f"cannot read the service: {describe_error(exc)}"
        bounds = f"autoscaling {low}-{high}" if scaling else f"no autoscaling target; at most {MAX_TASKS}"
        if not blocked and not low <= params.desired_count <= high:
            blocked = f"desired {params.desired_count} is outside {bounds}"
        if not blocked and params.desired_count == current:
            blocked = f"the service already wants {current} tasks"
        timeout = format_duration(self.verify_timeout)
        return Preview(
            action=self.name,
            risk=self.risk,
            summary=f"UpdateService {params.service} desired {current} → {params.desired_count} ({bounds})",
            details=(f"cluster {params.cluster}; now {running} running, {pending} pending",),
            api_calls=(
                f"ecs:UpdateService cluster={params.cluster} service={params.service} "
                f"desiredCount={params.desired_count}",
            ),
            cli=(
                f"aws ecs update-service --cluster {params.cluster} --service {params.service} "
                f"--desired-count {params.desired_count} --region {region}",
            ),
            verify=f"wait until {params.desired_count} of {params.desired_count} tasks run (up to {timeout})",
            notes=(f"Application Auto Scaling may move it again within {low}-{high} as CPU changes",)
            if scaling
            else (),
            inputs=params.model_dump(),
            subject=ScalePlan(params.cluster, params.service, current, params.desired_count),
            blocked=blocked,
        )

    def execute(self, preview: Preview, env: Env) -> Executed:
        plan: ScalePlan = preview.subject
        env.clients.client("ecs").update_service(cluster=plan.cluster, service=plan.service, desiredCount=plan.desired)
        return Executed(f"UpdateService accepted: {plan.service} desired {plan.current} → {plan.desired}", plan)

    def observe(self, executed: Executed, env: Env) -> Observation:
        plan: ScalePlan = executed.subject
        try:
            service = _service(env, plan.cluster, plan.service)
        except LookupError as exc:
            return Observation(None, str(exc.args[0]))
        running, desired, pending = service["runningCount"], service["desiredCount"], service["pendingCount"]
        seen = f"{running} of {desired} running, {pending} pending"
        if any(d.get("rolloutState") == "FAILED" for d in service.get("deployments", [])):
            return Observation("failed", f"{plan.service}: deployment failed ({seen})")
        if running == desired == plan.desired and pending == 0:
            return Observation("verified", f"{plan.service}: {seen}")
        return Observation(None, seen)

    def pending(self, executed: Executed) -> str:
        plan: ScalePlan = executed.subject
        return f"{plan.service} not at {plan.desired} running"


def _service(env: Env, cluster: str, name: str) -> dict[str, Any]:
    answer = env.clients.client("ecs").describe_services(cluster=cluster, services=[name])
    if not answer.get("services"):
        raise LookupError(f"service {name} not found in cluster {cluster}")
    return answer["services"][0]


class ForceParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cluster: str = Resources().ecs_cluster
    service: str = Resources().api_service


@dataclass(frozen=True)
class DeploymentPlan:
    cluster: str
    service: str
    replaced: str  # the primary deployment's id before: the new one must differ
    task_definition: str


class ForceNewDeployment(Action[ForceParams]):
    name = "ecs.force_new_deployment"
    risk = Risk.MEDIUM  # replaces every running task (a rolling deployment, health-checked); nothing is lost
    params = ForceParams
    operation = "UpdateService"
    verify_timeout = dt.timedelta(minutes=15)
    poll = dt.timedelta(seconds=15)

    def preview(self, params: ForceParams, env: Env, findings: Mapping[str, Any]) -> Preview:
        blocked: str | None = None
        replaced, task_definition, desired, running = "", "?", 0, 0
        try:
            service = _service(env, params.cluster, params.service)
            desired, running = service["desiredCount"], service["runningCount"]
            task_definition = service.get("taskDefinition", "?").rpartition("/")[2]
            deployments = service.get("deployments", [])
            primary = next((d for d in deployments if d.get("status") == "PRIMARY"), None)
            replaced = primary["id"] if primary else ""
            if service.get("status") != "ACTIVE":
                blocked = f"the service is {service.get('status')}"
            elif len(deployments) > 1 or (primary and primary.get("rolloutState") == "IN_PROGRESS"):
                blocked = "a deployment is in progress already: let it finish (or fail) first"
        except LookupError as exc:
            blocked = str(exc.args[0])
        except (BotoCoreError, ClientError) as exc:
            blocked = f"cannot read the service: {describe_error(exc)}"
        timeout = format_duration(self.verify_timeout)
        return Preview(
            action=self.name,
            risk=self.risk,
            summary=f"New deployment of {params.service}: {desired} new tasks of {task_definition} replace the old",
            details=(f"cluster {params.cluster}; now {running} of {desired} running; deployment {replaced or 'none'}",),
            api_calls=(f"ecs:UpdateService cluster={params.cluster} service={params.service} forceNewDeployment=true",),
            cli=(
                f"aws ecs update-service --cluster {params.cluster} --service {params.service} "
                f"--force-new-deployment --region {env.profile.region}",
            ),
            verify=f"wait until a new deployment completes with {desired} of {desired} running (up to {timeout})",
            notes=("the deployment circuit breaker rolls back a deployment whose tasks fail their health checks",),
            inputs=params.model_dump(),
            subject=DeploymentPlan(params.cluster, params.service, replaced, task_definition),
            blocked=blocked,
        )

    def execute(self, preview: Preview, env: Env) -> Executed:
        plan: DeploymentPlan = preview.subject
        answer = env.clients.client("ecs").update_service(
            cluster=plan.cluster, service=plan.service, forceNewDeployment=True
        )
        primary = next((d for d in answer["service"].get("deployments", []) if d.get("status") == "PRIMARY"), {})
        started = primary.get("id", "?")
        return Executed(
            f"UpdateService accepted: {plan.service} deployment {started}", plan, result={"deployment": started}
        )

    def observe(self, executed: Executed, env: Env) -> Observation:
        plan: DeploymentPlan = executed.subject
        try:
            service = _service(env, plan.cluster, plan.service)
        except LookupError as exc:
            return Observation(None, str(exc.args[0]))
        deployments = service.get("deployments", [])
        primary = next((d for d in deployments if d.get("status") == "PRIMARY"), None)
        running, desired = service["runningCount"], service["desiredCount"]
        seen = f"{running} of {desired} running, {len(deployments)} deployment(s)"
        if primary is None or primary["id"] == plan.replaced:
            return Observation(None, f"no new deployment yet ({seen})")
        state = primary.get("rolloutState", "?")
        if state == "FAILED":
            return Observation(
                "failed", f"{plan.service}: deployment {primary['id']} failed: {primary.get('rolloutStateReason', '')}"
            )
        if state == "COMPLETED" and len(deployments) == 1 and running == desired:
            return Observation("verified", f"{plan.service}: deployment {primary['id']} completed ({seen})")
        return Observation(None, f"deployment {primary['id']} {state} ({seen})")

    def pending(self, executed: Executed) -> str:
        plan: DeploymentPlan = executed.subject
        return f"{plan.service}: the new deployment has not completed"
