"""The local runtime (`make run`): moto in-process standing in for AWS, built from the same
template the cloud uses. Never imported by the deployed code."""
