#!/usr/bin/env python3
"""Sends requests signed by the real Huawei Cloud Python SDK (huaweicloudsdkcore) to a running
modelarts-sim and checks that the simulator accepts every one of them, and refuses one signed with a
wrong secret key.

Usage: sdk-against-sim.py ENDPOINT AK SK PROJECT_ID   (ENDPOINT like http://127.0.0.1:PORT)
Exit status 0 when every check passed.
"""
import json
import sys
import urllib.request

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException, ServerResponseException
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkmodelarts.v1 import ModelArtsClient

# Any generated *Response model works as a carrier for do_http_request; raw_content holds the body.
CARRIER = "ChangeTrainingJobDescriptionResponse"
VERSIONS = "/v1/{project_id}/training-jobs/{job_id}/versions"


def client(endpoint, ak, sk, project):
    config = HttpConfig.get_default_config()
    config.user_agent = "sdk-against-sim"
    return (ModelArtsClient.new_builder()
            .with_credentials(BasicCredentials(ak, sk, project))
            .with_endpoints([endpoint])
            .with_http_config(config)
            .build())


def call(sdk, method, path, path_params, query=None, body=None):
    """Returns (status, body text), whether the SDK raised or not."""
    try:
        response = sdk.do_http_request(
            method=method, resource_path=path, path_params=path_params,
            query_params=query or [], body=body, response_type=CARRIER)
        return response.status_code, response.raw_content.decode()
    except (ClientRequestException, ServerResponseException) as error:
        return error.status_code, "%s %s" % (error.error_code, error.error_msg)


def main():
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    endpoint, ak, sk, project = sys.argv[1:]
    sdk = client(endpoint, ak, sk, project)
    body = {"job_desc": "signed by huaweicloudsdkcore",
            "config": {"worker_server_num": 1, "app_url": "/bucket/app/", "boot_file_url": "/bucket/app/boot.py",
                       "parameter": [{"label": "note", "value": "non-ASCII: é ü 中文"}],
                       "data_url": "/bucket/data/", "spec_id": 1, "engine_id": 1, "train_url": "/bucket/out/",
                       "pre_version_id": 20}}
    checks = []
    status, text = call(sdk, "POST", VERSIONS, {"job_id": 10}, body=body)
    checks.append(("create version", status == 200, status, text))
    version_id = json.loads(text).get("version_id") if status == 200 else 21
    for name, method, path, params, query in [
        ("list versions (paged)", "GET", VERSIONS, {"job_id": 10}, [("per_page", 5), ("page", 1)]),
        ("show version", "GET", VERSIONS + "/{version_id}", {"job_id": 10, "version_id": version_id}, None),
        ("list jobs (encoded query)", "GET", "/v1/{project_id}/training-jobs", {},
         [("status", 7), ("per_page", 10), ("page", 1), ("sortBy", "job_name"), ("search_content", "my job~1/α")]),
        ("stop version", "POST", VERSIONS + "/{version_id}/stop", {"job_id": 10, "version_id": version_id}, None),
    ]:
        status, text = call(sdk, method, path, params, query=query)
        checks.append((name, status == 200, status, text))

    wrong = client(endpoint, ak, sk + "x", project)
    status, text = call(wrong, "GET", VERSIONS, {"job_id": 10})
    checks.append(("wrong secret key is refused", status == 401 and "APIGW.0301" in text, status, text))

    with urllib.request.urlopen(endpoint + "/_sim/ledger") as response:
        ledger = json.load(response)
    created = len(ledger["versions"])
    checks.append(("ledger holds exactly one version", created == 1, created, json.dumps(ledger["requests"])))

    failed = 0
    for name, passed, status, detail in checks:
        failed += 0 if passed else 1
        print("%-32s %s  (%s) %s" % (name, "ok  " if passed else "FAIL", status, detail[:160]))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
