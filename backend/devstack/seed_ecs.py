"""ECS: the Fargate cluster and services of the guide (ADR-002), and the API's autoscaling (2-10, CPU 70%)."""

from __future__ import annotations

from typing import Any

from backend.devstack.aws import ACCOUNT_ID, REGION
from backend.devstack.names import API_SERVICE, CLUSTER, ENVIRONMENT, FRONTEND_SERVICE, LOG_GROUP, PROJECT

DESIRED_COUNT = 2
MIN_CAPACITY = 2
MAX_CAPACITY = 10
TARGET_CPU = 70.0
API_RESOURCE_ID = f"service/{CLUSTER}/{API_SERVICE}"

_REGISTRY = f"{ACCOUNT_ID}.dkr.ecr.{REGION}.amazonaws.com"
_TAGS = [{"key": "Project", "value": PROJECT}, {"key": "Environment", "value": ENVIRONMENT}]
_CONTAINERS = {
    API_SERVICE: {"port": 3000, "environment": [{"name": "NODE_ENV", "value": ENVIRONMENT}]},
    FRONTEND_SERVICE: {"port": 80, "environment": []},
}


def seed(ecs: Any, autoscaling: Any) -> None:
    ecs.create_cluster(
        clusterName=CLUSTER,
        capacityProviders=["FARGATE", "FARGATE_SPOT"],
        defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 1}],
        settings=[{"name": "containerInsights", "value": "enabled"}],
        tags=_TAGS,
    )
    for service, container in _CONTAINERS.items():
        task_definition = ecs.register_task_definition(
            family=service,
            requiresCompatibilities=["FARGATE"],
            networkMode="awsvpc",
            cpu="512",
            memory="1024",
            executionRoleArn=f"arn:aws:iam::{ACCOUNT_ID}:role/{PROJECT}-ecs-execution",
            containerDefinitions=[
                {
                    "name": service,
                    "image": f"{_REGISTRY}/{service}:latest",
                    "essential": True,
                    "portMappings": [{"containerPort": container["port"], "protocol": "tcp"}],
                    "environment": container["environment"],
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": LOG_GROUP if service == API_SERVICE else f"/aws/ecs/{service}",
                            "awslogs-region": REGION,
                            "awslogs-stream-prefix": service,
                        },
                    },
                }
            ],
            tags=_TAGS,
        )["taskDefinition"]["taskDefinitionArn"]
        ecs.create_service(
            cluster=CLUSTER,
            serviceName=service,
            taskDefinition=task_definition,
            desiredCount=DESIRED_COUNT,
            launchType="FARGATE",
            deploymentConfiguration={
                "maximumPercent": 200,
                "minimumHealthyPercent": 100,
                "deploymentCircuitBreaker": {"enable": True, "rollback": True},
            },
            tags=_TAGS,
        )
    autoscaling.register_scalable_target(
        ServiceNamespace="ecs",
        ResourceId=API_RESOURCE_ID,
        ScalableDimension="ecs:service:DesiredCount",
        MinCapacity=MIN_CAPACITY,
        MaxCapacity=MAX_CAPACITY,
    )
    autoscaling.put_scaling_policy(
        PolicyName=f"{API_SERVICE}-cpu-target-tracking",
        ServiceNamespace="ecs",
        ResourceId=API_RESOURCE_ID,
        ScalableDimension="ecs:service:DesiredCount",
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": TARGET_CPU,
            "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
            "ScaleOutCooldown": 60,
            "ScaleInCooldown": 300,
        },
    )
