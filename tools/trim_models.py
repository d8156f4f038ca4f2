#!/usr/bin/env python3
"""Writes models/<service>.json: the AWS service models shipped with botocore, trimmed to what the
wire needs (metadata, operations with HTTP bindings and errors, shapes with their constraints),
without documentation text. Run after upgrading botocore; the output is committed."""
import gzip
import json
import os
import sys

import botocore

SERVICES = [
    "sts", "iam", "dynamodb", "dynamodbstreams", "s3", "sqs", "sns", "lambda", "apigateway",
    "apigatewayv2", "cognito-idp", "cognito-identity", "stepfunctions", "firehose", "rds-data",
    "ecs", "cloudfront", "logs", "events", "kinesis",
]

META_KEYS = {"apiVersion", "endpointPrefix", "jsonVersion", "protocol", "protocols", "serviceId",
             "signingName", "targetPrefix", "xmlNamespace", "globalEndpoint", "awsQueryCompatible"}
OP_KEYS = {"name", "http", "input", "output", "errors", "httpChecksum", "idempotent"}
DROP_SHAPE_KEYS = {"documentation", "deprecated", "deprecatedMessage", "sensitive", "box",
                   "contextParam", "deprecatedSince", "retryable", "synthetic", "fault"}
DROP_MEMBER_KEYS = {"documentation", "deprecated", "deprecatedMessage", "contextParam", "box",
                    "deprecatedSince"}


def latest_model(data_dir, name):
    base = os.path.join(data_dir, name)
    versions = sorted(v for v in os.listdir(base) if os.path.isdir(os.path.join(base, v)))
    path = os.path.join(base, versions[-1], "service-2.json")
    if os.path.exists(path):
        with open(path) as f:
            return json.load(f)
    with gzip.open(path + ".gz", "rt") as f:
        return json.load(f)


def trim_shape(shape):
    out = {k: v for k, v in shape.items() if k not in DROP_SHAPE_KEYS}
    if "members" in out:
        out["members"] = {
            name: {k: v for k, v in m.items() if k not in DROP_MEMBER_KEYS}
            for name, m in out["members"].items()
        }
    for k in ("member", "key", "value"):
        if k in out:
            out[k] = {kk: vv for kk, vv in out[k].items() if kk not in DROP_MEMBER_KEYS}
    if "error" in out:
        out["error"] = {k: v for k, v in out["error"].items() if k != "documentation"}
    return out


def main():
    data_dir = os.path.join(os.path.dirname(botocore.__file__), "data")
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "models")
    os.makedirs(out_dir, exist_ok=True)
    index = {}
    for name in SERVICES:
        model = latest_model(data_dir, name)
        trimmed = {
            "metadata": {k: v for k, v in model["metadata"].items() if k in META_KEYS},
            "operations": {
                op: {k: v for k, v in body.items() if k in OP_KEYS}
                for op, body in model["operations"].items()
            },
            "shapes": {n: trim_shape(s) for n, s in model["shapes"].items()},
        }
        for op in trimmed["operations"].values():
            for k in ("input", "output"):
                if k in op:
                    op[k] = {kk: vv for kk, vv in op[k].items() if kk != "documentation"}
            if "errors" in op:
                op["errors"] = [{"shape": e["shape"]} for e in op["errors"]]
        with open(os.path.join(out_dir, name + ".json"), "w") as f:
            json.dump(trimmed, f, separators=(",", ":"), sort_keys=True)
        index[name] = dict(trimmed["metadata"], operationCount=len(trimmed["operations"]))
    # The metadata of every model, small enough to read at start-up (routing, health) without
    # parsing the models themselves.
    with open(os.path.join(out_dir, "_index.json"), "w") as f:
        json.dump(index, f, separators=(",", ":"), sort_keys=True)
    print("trimmed %d models (botocore %s)" % (len(SERVICES), botocore.__version__))


if __name__ == "__main__":
    main()
