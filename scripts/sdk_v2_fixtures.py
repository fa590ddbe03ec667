#!/usr/bin/env python3
"""Record the v2 training-job requests the official Huawei Cloud Python SDK sends, as a test fixture.

The SDK's own model classes (Job, JobMetadata, JobAlgorithm, Spec, SpecResource, JobSearches, Filter,
JobActionType, ...) and its own ModelArtsClient build and sign (AK/SK, SDK-HMAC-SHA256) the four calls
create_training_job, show_training_job_details, list_training_jobs and stop_training_job. A transport
adapter mounted on the client's requests session captures each request exactly as it would go on the
wire (method, path and query, headers including X-Sdk-Date and Authorization, body bytes) and answers
with a canned body: nothing leaves the process.

The signer's clock is pinned to X_SDK_DATE so the output is the same on every run; the Swift test pins
the simulator's clock to the same moment. Show and stop target FIXTURE_JOB_ID, which that test seeds
(in phase Pending, so it can be stopped); search filters on the created job's name.

Also recorded: `create_body` (the SDK-built create body alone, the shape of examples/v2-job.json) and
`required_response_fields`, read from the SDK's response models: the attributes their constructors
always set (a list element's fields apply to each element; a field under an absent parent is moot).

Run (no network): PYTHONPATH=/tmp/sdk/x python3 scripts/sdk_v2_fixtures.py \
    > Tests/ModelArtsSimulatorTests/Fixtures/sdk-v2-requests.json
The SDK needs its dependencies (pymongo for bson, simplejson, requests, requests-toolbelt, defusedxml,
pyasn1, pyyaml, six) installed; the wheels' own packages can sit unpacked on PYTHONPATH.
"""
import datetime as _datetime
import inspect
import json
import re
import sys
from importlib.metadata import version

import requests
from requests.adapters import BaseAdapter

import huaweicloudsdkcore.signer.signer as sdk_signer
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.http.http_config import HttpConfig
import huaweicloudsdkmodelarts.v1 as ma
from huaweicloudsdkmodelarts.v1 import ModelArtsClient

AK = "AKIDEXAMPLE0000000001"
SK = "SKexampleSecretKey0000000000000000000001"
PROJECT = "0123456789abcdef0123456789abcdef"
HOST = "modelarts.cn-north-4.myhuaweicloud.com"
X_SDK_DATE = "20260102T030405Z"
FIXTURE_JOB_ID = "0b9e2c4d-7f1a-4c3b-8e5d-6a2f1b3c4d5e"
JOB_NAME = "trainq-sdk-fixture"
USER_AGENT = "sdk-v2-fixtures"


class _PinnedDateTime(_datetime.datetime):
    """The signer reads `datetime.utcnow()` for X-Sdk-Date; this one always answers X_SDK_DATE."""

    @classmethod
    def utcnow(cls):
        return cls.strptime(X_SDK_DATE, "%Y%m%dT%H%M%SZ")


sdk_signer.datetime = _PinnedDateTime


class CaptureAdapter(BaseAdapter):
    """Takes the place of the HTTP transport: records each prepared request, answers with `reply`."""

    def __init__(self):
        super().__init__()
        self.captured = []
        self.reply = (200, b"{}")

    def send(self, request, **kwargs):
        body = request.body if isinstance(request.body, bytes) else (request.body or "").encode()
        self.captured.append({
            "method": request.method,
            "path": request.path_url,
            "headers": dict(request.headers),
            "body": body.decode(),
        })
        response = requests.Response()
        response.status_code, response._content = self.reply
        response.headers["Content-Type"] = "application/json;charset=UTF-8"
        response.url = request.url
        response.request = request
        return response

    def close(self):
        pass


def client_with_capture():
    config = HttpConfig.get_default_config()
    config.user_agent = USER_AGENT
    client = (ModelArtsClient.new_builder()
              .with_credentials(BasicCredentials(AK, SK, PROJECT))
              .with_endpoints(["https://" + HOST])
              .with_http_config(config)
              .build())
    adapter = CaptureAdapter()
    session = client.get_http_client()._session
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return client, adapter


def create_request():
    job = ma.Job(
        kind="job",
        metadata=ma.JobMetadata(name=JOB_NAME, workspace_id="0", description="recorded from the SDK"),
        algorithm=ma.JobAlgorithm(
            code_dir="/trainq-bucket/app/",
            boot_file="/trainq-bucket/app/train.py",
            engine=ma.JobEngine(engine_name="PyTorch", engine_version="pytorch_1.8.0-cuda_10.2-py_3.7-ubuntu_18.04-x86_64"),
            parameters=[ma.Parameters(name="learning_rate", value="0.01"), ma.Parameters(name="epochs", value="10")],
            inputs=[ma.Input(name="data_url", remote=ma.InputDataInfo(obs=ma.InputDataInfoObs(obs_url="/trainq-bucket/data/")))],
            outputs=[ma.Output(name="train_url", remote=ma.Remote(obs=ma.RemoteObs(obs_url="/trainq-bucket/output/")))],
            environments={"PYTHONUNBUFFERED": "1"},
        ),
        spec=ma.Spec(
            resource=ma.SpecResource(flavor_id="modelarts.p3.large.public.free", node_count=1),
            log_export_path=ma.LogExportPath(obs_url="/trainq-bucket/logs/"),
        ),
    )
    return ma.CreateTrainingJobRequest(body=job)


def search_request():
    return ma.ListTrainingJobsRequest(body=ma.JobSearches(
        offset=0, limit=10, sort_by="create_time", order="desc",
        filters=[ma.Filter(key="name", operator="like", value=[JOB_NAME])]))


# ------------------------------------------------------------------ required fields of the response models
def _model_class(type_name):
    inner = re.sub(r"^(list\[|dict\(str, )", "", type_name).rstrip("])")
    return getattr(ma, inner, None) if inner[:1].isupper() else None


def required_fields(cls, prefix="", seen=None):
    """Paths of the attributes the model's constructor sets unconditionally (the generator's 'required')."""
    seen = set() if seen is None else seen
    if cls in seen:
        return []
    seen = seen | {cls}
    source = inspect.getsource(cls.__init__)
    paths = []
    for attribute, type_name in cls.openapi_types.items():
        key = cls.attribute_map[attribute]
        path = prefix + "." + key if prefix else key
        if re.search(r"^ {8}self\.%s = %s$" % (attribute, attribute), source, re.M):
            paths.append(path)
        inner = _model_class(type_name)
        if inner is not None:
            paths += required_fields(inner, path, seen)
    return paths


def main():
    client, adapter = client_with_capture()
    calls = [
        ("create", "create_training_job", 201, lambda: client.create_training_job(create_request())),
        ("show", "show_training_job_details", 200,
         lambda: client.show_training_job_details(ma.ShowTrainingJobDetailsRequest(training_job_id=FIXTURE_JOB_ID))),
        ("search", "list_training_jobs", 200, lambda: client.list_training_jobs(search_request())),
        ("stop", "stop_training_job", 202, lambda: client.stop_training_job(ma.StopTrainingJobRequest(
            training_job_id=FIXTURE_JOB_ID, body=ma.JobActionType(action_type="terminate")))),
    ]
    recorded = []
    for name, sdk_method, status, call in calls:
        adapter.reply = (status, b"{}")
        call()
        wire = adapter.captured[-1]
        recorded.append({"name": name, "sdk_method": sdk_method, "expected_status": status, **wire})

    responses = {
        "create": "CreateTrainingJobResponse", "show": "ShowTrainingJobDetailsResponse",
        "search": "ListTrainingJobsResponse", "stop": "StopTrainingJobResponse",
    }
    out = {
        "generator": "scripts/sdk_v2_fixtures.py",
        "packages": {p: version(p) for p in ("huaweicloudsdkcore", "huaweicloudsdkmodelarts")},
        "python": sys.version.split()[0],
        "ak": AK,
        "sk": SK,
        "project_id": PROJECT,
        "host": HOST,
        "x_sdk_date": X_SDK_DATE,
        "fixture_job_id": FIXTURE_JOB_ID,
        "job_name": JOB_NAME,
        "create_body": json.loads(recorded[0]["body"]),
        "requests": recorded,
        "required_response_fields": {name: required_fields(getattr(ma, model)) for name, model in responses.items()},
    }
    json.dump(out, sys.stdout, indent=2, ensure_ascii=False, sort_keys=False)
    print()


if __name__ == "__main__":
    main()
