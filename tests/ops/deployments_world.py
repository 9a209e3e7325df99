"""A stubbed AWS (botocore Stubber) for the deployments screen's pictures: the guide's two services at a frozen NOW,
one of them mid-deployment with service events (moto keeps no events and finishes deployments at once)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from aws_world import ACCOUNT, REGION, StubbedClients, ago, cluster

ECS_CLUSTER = "shop-management-cluster"
API, FRONTEND = "shop-management-api", "shop-management-frontend"


def arn(kind: str, name: str) -> str:
    return f"arn:aws:ecs:{REGION}:{ACCOUNT}:{kind}/{name}"


def deployment(
    ident: str, status: str, state: str, revision: int, age: dt.timedelta, running: int = 2
) -> dict[str, Any]:
    return {
        "id": f"ecs-svc/{ident}",
        "status": status,
        "rolloutState": state,
        "rolloutStateReason": "",
        "desiredCount": 2,
        "runningCount": running,
        "pendingCount": 2 - running,
        "taskDefinition": arn("task-definition", f"{API}:{revision}"),
        "createdAt": ago(seconds=age.total_seconds()),
    }


def service(
    name: str, revision: int, deployments: list[dict[str, Any]], events: list[tuple[float, str]]
) -> dict[str, Any]:
    return {
        "serviceName": name,
        "serviceArn": arn("service", f"{ECS_CLUSTER}/{name}"),
        "status": "ACTIVE",
        "desiredCount": 2,
        "runningCount": sum(d["runningCount"] for d in deployments),
        "pendingCount": sum(d["pendingCount"] for d in deployments),
        "launchType": "FARGATE",
        "taskDefinition": arn("task-definition", f"{name}:{revision}"),
        "deployments": deployments,
        "events": [{"id": str(i), "createdAt": ago(minutes=m), "message": text} for i, (m, text) in enumerate(events)],
    }


def _api() -> dict[str, Any]:
    return service(
        API,
        8,
        [
            deployment("new8", "PRIMARY", "IN_PROGRESS", 8, dt.timedelta(minutes=3), running=1),
            deployment("old7", "ACTIVE", "COMPLETED", 7, dt.timedelta(days=6), running=2),
        ],
        [
            (1, f"(service {API}) has started 1 tasks: (task 5c1e)."),
            (3, f"(service {API}) registered 1 targets in (target-group shop-management-api-tg)"),
            (95, f"(service {API}) has reached a steady state."),
        ],
    )


def _frontend() -> dict[str, Any]:
    frontend = service(
        FRONTEND, 4, [deployment("fe4", "PRIMARY", "COMPLETED", 4, dt.timedelta(days=12))], [(60, "steady state")]
    )
    frontend["deployments"][0]["taskDefinition"] = arn("task-definition", f"{FRONTEND}:4")
    frontend["events"][0]["message"] = f"(service {FRONTEND}) has reached a steady state."
    return frontend


@dataclass
class DeploymentsWorld:
    services: list[dict[str, Any]] = field(default_factory=lambda: [_api(), _frontend()])
    task_cpu: str = "512"
    task_memory: str = "1024"
    multi_az: bool = True

    def clients(self) -> StubbedClients:
        stubs = StubbedClients()
        ecs = stubs.add("ecs", REGION)
        autoscaling = stubs.add("application-autoscaling", REGION)
        ecs.add_response(
            "list_services", {"serviceArns": [s["serviceArn"] for s in self.services]}, {"cluster": ECS_CLUSTER}
        )
        ecs.add_response(
            "describe_services",
            {"services": self.services, "failures": []},
            {"cluster": ECS_CLUSTER, "services": [s["serviceArn"] for s in self.services]},
        )
        for data in sorted(self.services, key=lambda s: s["serviceName"]):
            name, revision = data["taskDefinition"].rpartition("/")[2].split(":")
            ecs.add_response(
                "describe_task_definition",
                {
                    "taskDefinition": {
                        "family": name,
                        "revision": int(revision),
                        "cpu": self.task_cpu,
                        "memory": self.task_memory,
                        "containerDefinitions": [],
                    }
                },
                {"taskDefinition": data["taskDefinition"]},
            )
            resource = f"service/{ECS_CLUSTER}/{name}"
            targets = (
                [
                    {
                        "ServiceNamespace": "ecs",
                        "ResourceId": resource,
                        "ScalableDimension": "ecs:service:DesiredCount",
                        "MinCapacity": 2,
                        "MaxCapacity": 10,
                        "RoleARN": f"arn:aws:iam::{ACCOUNT}:role/ecs-autoscaling",
                        "CreationTime": ago(days=400),
                    }
                ]
                if name == API
                else []
            )
            autoscaling.add_response(
                "describe_scalable_targets",
                {"ScalableTargets": targets},
                {"ServiceNamespace": "ecs", "ResourceIds": [resource], "ScalableDimension": "ecs:service:DesiredCount"},
            )
            if targets:
                autoscaling.add_response(
                    "describe_scaling_policies",
                    {
                        "ScalingPolicies": [
                            {
                                "PolicyARN": "arn:aws:autoscaling:policy/cpu",
                                "PolicyName": f"{API}-cpu-target-tracking",
                                "ServiceNamespace": "ecs",
                                "ResourceId": resource,
                                "ScalableDimension": "ecs:service:DesiredCount",
                                "PolicyType": "TargetTrackingScaling",
                                "TargetTrackingScalingPolicyConfiguration": {
                                    "TargetValue": 70.0,
                                    "PredefinedMetricSpecification": {
                                        "PredefinedMetricType": "ECSServiceAverageCPUUtilization"
                                    },
                                },
                                "CreationTime": ago(days=400),
                            }
                        ]
                    },
                    {"ServiceNamespace": "ecs", "ResourceId": resource},
                )
        rds = stubs.add("rds", REGION)
        rds.add_response(
            "describe_db_clusters",
            {"DBClusters": [cluster(MultiAZ=self.multi_az)]},
            {"DBClusterIdentifier": "shop-management-aurora"},
        )
        rds.add_response(
            "describe_db_instances",
            {
                "DBInstances": [
                    {"DBInstanceIdentifier": "shop-management-aurora-2", "DBInstanceClass": "db.r6g.large"},
                    {"DBInstanceIdentifier": "shop-management-aurora-1", "DBInstanceClass": "db.r6g.large"},
                ]
            },
            {"Filters": [{"Name": "db-cluster-id", "Values": ["shop-management-aurora"]}]},
        )
        return stubs
