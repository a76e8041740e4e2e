"""Deployment files (deploy/): there is no Docker engine here, so the Dockerfiles, docker-compose.yml,
the Kubernetes manifests and the nginx upstreams are parsed and checked against the code:
base images and versions, non-root users, no secrets, ports and variables that lotse/core/settings.py
reads, the services and their wiring, and the packages each image needs for what it imports."""
from __future__ import annotations

import ast
import importlib.metadata as metadata
import re
import sys
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

from lotse.core.credentials import MESSENGER_CHANNELS
from lotse.core.settings import DERIVED, PROJECT_ROOT, VARIABLES, Settings, load_settings
from lotse.runner.serve import DEFAULT_MODEL
from lotse.runner.stack import Stack

ROOT = PROJECT_ROOT
DEPLOY = ROOT / "deploy"
DEFAULTS = load_settings({})
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|AUTH|ACCESS_KEY|PRIVATE", re.I)
INTERPOLATION = re.compile(r"\$\{([A-Z][A-Z0-9_]*)(?:(:?[-?])[^}]*)?\}")
# Read by the staff console's branch (not merged yet): remove from here once lotse/core/settings.py reads them.
PENDING_CONSOLE_VARIABLES = {"LOTSE_CONSOLE_HOST", "LOTSE_CONSOLE_PORT"}
# Inputs of the deployment itself, combined into URLs there (never read by the code directly).
DEPLOYMENT_SECRETS = {"LOTSE_DB_PASSWORD", "LOTSE_REDIS_PASSWORD"}
SERVICES = set(Stack(DEFAULTS, DEFAULT_MODEL, ROOT / "var").commands())


# --- parsing helpers -------------------------------------------------------------------------------

def dockerfile(name: str) -> list[dict]:
    """Stages of a Dockerfile: [{"from": image, "as": name, "ops": [(INSTRUCTION, args)]}]."""
    text = re.sub(r"\\\n", " ", (DEPLOY / name).read_text(encoding="utf-8"))
    stages: list[dict] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        op, _, args = line.partition(" ")
        op = op.upper()
        if op == "FROM":
            parts = args.split()
            stages.append({"from": parts[0], "as": parts[2] if len(parts) > 2 else None, "ops": []})
        else:
            stages[-1]["ops"].append((op, args.strip()))
    return stages


def ops(stage: dict, name: str) -> list[str]:
    return [args for op, args in stage["ops"] if op == name]


def env_of(stage: dict) -> dict[str, str]:
    result = {}
    for args in ops(stage, "ENV"):
        for key, value in re.findall(r"([A-Z_][A-Z0-9_]*)=(\S+)", args):
            result[key] = value
    return result


def lock_pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==", 1)
            pins[normalise(name)] = version.strip()
    return pins


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))


def k8s_documents() -> list[dict]:
    docs = []
    for path in sorted((DEPLOY / "k8s").glob("*.yaml")):
        docs += [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]
    return docs


def pod_specs() -> dict[str, dict]:
    return {d["metadata"]["name"]: d["spec"]["template"]["spec"] for d in k8s_documents() if d["kind"] in ("Deployment", "StatefulSet")}


def upstreams(name: str) -> dict[str, list[str]]:
    """nginx upstream blocks: {upstream: [directive, ...]}."""
    text = re.sub(r"#.*", "", (DEPLOY / "nginx" / name).read_text(encoding="utf-8"))
    return {
        m.group(1): [d.strip() for d in m.group(2).split(";") if d.strip()]
        for m in re.finditer(r"upstream\s+(\w+)\s*\{([^}]*)\}", text)
    }


def servers(block: list[str]) -> list[str]:
    return [d.split()[1] for d in block if d.startswith("server ")]


def settings_variables() -> set[str]:
    """The variables of lotse/core/settings.py's table, and the LOTSE_ ones it derives from them."""
    return {row.name for row in VARIABLES} | {d.name for d in DERIVED if d.name.startswith("LOTSE_")}


def messenger_variables() -> set[str]:
    names = set()
    for spec in MESSENGER_CHANNELS.values():
        names |= set(spec.required.values()) | {var for var, _ in spec.optional.values()}
    return names


KNOWN_VARIABLES = settings_variables() | messenger_variables()


# --- imports each image needs -------------------------------------------------------------------

LOCAL_PACKAGES = {"lotse", "actions"}


def _module_file(module: str) -> Path | None:
    base = ROOT.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def third_party_imports(entries: list[str]) -> set[str]:
    """Top-level third-party modules imported (anywhere, also inside functions) by the entry modules
    and every local module they import."""
    seen, todo, found = set(), list(entries), set()
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        path = _module_file(module)
        if path is None:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level:
                package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
                names = [f"{package}.{node.module}" if node.module else package]
            for name in names:
                top = name.split(".")[0]
                if top in LOCAL_PACKAGES:
                    todo.append(name)
                elif top not in sys.stdlib_module_names and top != "__future__":
                    found.add(top)
    return found


def package_modules(package: str) -> list[str]:
    return [".".join(p.relative_to(ROOT).with_suffix("").parts)
            for p in sorted(ROOT.joinpath(*package.split(".")).rglob("*.py"))]


@lru_cache(maxsize=None)
def distribution_closure(names: frozenset[str]) -> frozenset[str]:
    """The distributions and everything they require (as installed here)."""
    from packaging.requirements import Requirement

    result, todo = set(), [normalise(n) for n in names]
    while todo:
        name = todo.pop()
        if name in result:
            continue
        result.add(name)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        for line in requires:
            requirement = Requirement(line)
            if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
                continue
            todo.append(normalise(requirement.name))
    return frozenset(result)


# Installed here without a record of their top-level module (packages_distributions misses them).
IMPORT_NAMES = {"argon2": ["argon2-cffi"], "jinja2": ["Jinja2"]}


def missing_distributions(imports: set[str], provided: set[str]) -> set[str]:
    by_module = {**IMPORT_NAMES, **metadata.packages_distributions()}
    closure = distribution_closure(frozenset(provided))
    missing = set()
    for module in imports:
        dists = {normalise(d) for d in by_module.get(module, [module])}
        if not dists & closure:
            missing.add(f"{module} ({', '.join(sorted(dists))})")
    return missing


def requirement_names(file: str) -> set[str]:
    lines = (DEPLOY / file).read_text(encoding="utf-8").splitlines()
    return {normalise(line.strip()) for line in lines if line.strip() and not line.startswith("#")}


# --- Dockerfiles -------------------------------------------------------------------------------

DOCKERFILES = {"Dockerfile.rasa": "rasa", "Dockerfile.actions": "actions", "Dockerfile.web": "web"}


def test_images_are_built_on_the_pinned_rasa_versions():
    pins = lock_pins()
    assert dockerfile("Dockerfile.rasa")[-1]["from"] == f"rasa/rasa:{pins['rasa']}"
    assert all(stage["from"] == f"rasa/rasa:{pins['rasa']}" for stage in dockerfile("Dockerfile.rasa"))
    assert dockerfile("Dockerfile.actions")[-1]["from"] == f"rasa/rasa-sdk:{pins['rasa-sdk']}"
    web = dockerfile("Dockerfile.web")[-1]["from"]
    assert web.startswith(f"python:{sys.version_info.major}.{sys.version_info.minor}.") and "slim" in web


@pytest.mark.parametrize("name", sorted(DOCKERFILES))
def test_images_run_as_a_non_root_user_with_pinned_bases(name):
    stages = dockerfile(name)
    for stage in stages:
        image = stage["from"]
        assert ":" in image and not image.endswith(":latest"), f"{name}: unpinned base image {image}"
    users = ops(stages[-1], "USER")
    assert users and users[-1] not in ("root", "0"), f"{name} ends as root"


@pytest.mark.parametrize("name", sorted(DOCKERFILES))
def test_no_secret_is_baked_into_an_image(name):
    for stage in dockerfile(name):
        for key in list(env_of(stage)) + [a.split("=")[0] for a in ops(stage, "ARG")]:
            assert not SECRET_NAME.search(key), f"{name}: {key} in ENV/ARG"
        for value in env_of(stage).values():
            assert not re.search(r"://[^/@\s]*:[^/@\s]+@", value), f"{name}: credentials in {value}"
        for args in ops(stage, "COPY"):
            assert ".env" not in args.split(), name
    ignore = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert ignore[[line.startswith("#") for line in ignore].index(False)] == "*", ".dockerignore must start by excluding everything"
    allowed = {line[1:].rstrip("/") for line in ignore if line.startswith("!")}
    assert not allowed & {".env", "models", "var", ".venv", "deploy/.env", "tests"}


@pytest.mark.parametrize("name", sorted(DOCKERFILES))
def test_images_copy_only_what_the_build_context_contains(name):
    allowed = {line[1:].rstrip("/") for line in (ROOT / ".dockerignore").read_text().splitlines() if line.startswith("!")}
    for stage in dockerfile(name):
        for args in ops(stage, "COPY"):
            parts = [p for p in args.split() if not p.startswith("--")]
            if any(p.startswith("--from") for p in args.split()):
                continue
            for source in parts[:-1]:
                if source == ".":
                    continue
                assert (ROOT / source).exists(), f"{name}: COPY {source} does not exist"
                assert any(source == a or re.fullmatch(a.replace("*", "[^/]*"), source) for a in allowed), \
                    f"{name}: {source} is excluded by .dockerignore"


@pytest.mark.parametrize("name,service", sorted(DOCKERFILES.items()))
def test_images_start_lotse_serve_on_the_configured_ports(name, service):
    final = dockerfile(name)[-1]
    assert ops(final, "ENTRYPOINT") == ['["python", "-m", "lotse.runner.serve"]']
    assert ops(final, "CMD") == [f'["{service}"]'] and service in SERVICES
    default_port = {"rasa": DEFAULTS.rasa_port, "actions": DEFAULTS.actions_port, "web": DEFAULTS.web_port}[service]
    assert str(default_port) in " ".join(ops(final, "EXPOSE")).split()
    env = env_of(final)
    for key in env:
        if key.startswith("LOTSE_"):
            assert key in KNOWN_VARIABLES, f"{name}: {key} is not read by lotse/core/settings.py"
    for key in ("LOTSE_RASA_PORT", "LOTSE_ACTIONS_PORT", "LOTSE_WEB_PORT"):
        if key in env:
            assert int(env[key]) == getattr(DEFAULTS, key[6:].lower()), f"{name}: {key}={env[key]} differs from the default"
    assert env.get("PYTHONPATH") == "/app" and env.get("LOTSE_DATA_DIR", "").startswith("/app/")


def test_the_rasa_image_trains_its_model_in_a_build_stage_and_runs_it():
    train, final = dockerfile("Dockerfile.rasa")
    assert train["as"] == "train" and any("rasa train" in run for run in ops(train, "RUN"))
    copied = [args for args in ops(final, "COPY") if "--from=train" in args]
    assert copied and copied[0].split()[-1] == "./" + str(DEFAULT_MODEL.relative_to(ROOT))
    assert "models/" not in (ROOT / ".dockerignore").read_text()


@pytest.mark.parametrize("name,requirements", [("Dockerfile.actions", "requirements-actions.txt"), ("Dockerfile.web", "requirements-web.txt")])
def test_added_packages_are_installed_with_the_lock_file_versions(name, requirements):
    runs = " ".join(ops(dockerfile(name)[-1], "RUN"))
    assert "-c /tmp/requirements/requirements.lock" in runs and requirements in runs
    pins = lock_pins()
    assert requirement_names(requirements) <= set(pins), "every added package must be pinned in requirements.lock"


def test_the_actions_image_has_every_package_the_actions_and_the_worker_import():
    imports = third_party_imports(package_modules("actions") + ["lotse.worker.jobs", "lotse.runner.serve"])
    assert "rasa" not in imports, "the action server image has no Rasa"
    assert not missing_distributions(imports, requirement_names("requirements-actions.txt") | {"rasa-sdk"})


def test_the_web_image_has_every_package_the_web_server_and_console_import():
    entries = ["lotse.webserver.app", "lotse.runner.serve"] + package_modules("lotse.console")
    imports = third_party_imports(entries)
    assert not missing_distributions(imports, requirement_names("requirements-web.txt"))


def test_the_rasa_image_has_every_package_its_components_channels_and_stores_import():
    entries = ["lotse.rasa_server.tracker_store", "lotse.rasa_server.lock_store", "lotse.rasa_server.components", "lotse.runner.serve", "lotse.runner.cli"]
    imports = third_party_imports(entries + package_modules("lotse.rasa_server.channels"))
    assert not missing_distributions(imports, {"rasa"} | requirement_names("requirements-rasa.txt"))
    config = yaml.safe_load((ROOT / "config.yml").read_text())
    custom = [c["name"] for c in config["pipeline"] + config.get("policies", []) if "." in c["name"]]
    assert all(name.split(".")[0] == "lotse" for name in custom)


# --- docker-compose ------------------------------------------------------------------------------

APP_SERVICES = {"rasa", "actions", "web", "console", "worker", "lb", "postgres", "redis"}


def compose_environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    return {k: "" if v is None else str(v) for k, v in env.items()}


def test_compose_has_the_full_topology_with_two_rasa_and_two_action_servers():
    services = compose()["services"]
    assert {re.sub(r"-\d+$", "", name) for name in services} == APP_SERVICES
    rasa = sorted(n for n in services if n.startswith("rasa-"))
    actions = sorted(n for n in services if n.startswith("actions-"))
    assert len(rasa) == len(actions) == 2
    for name in rasa + actions:
        assert compose_environment(services[name])["LOTSE_INSTANCES"] == str(len(rasa))
        assert compose_environment(services[name])["LOTSE_LOCK_STORE"] == "redis"
    for name, service in services.items():
        if "build" in service:
            assert (DEPLOY / service["build"]["context"]).resolve() == ROOT, f"{name}: build from the repository root"
            assert (ROOT / service["build"]["dockerfile"]).exists(), name


def test_compose_runs_each_image_with_a_service_lotse_serve_knows():
    services = compose()["services"]
    for name, service in services.items():
        if str(service.get("image", "")).startswith("lotse-"):
            (command,) = service["command"]
            assert command in SERVICES or (name == "console" and command == "console"), f"{name}: {command}"
    assert services["console"]["image"] == services["web"]["image"]


def test_compose_variables_are_read_by_lotse_and_secrets_come_from_the_environment():
    services = compose()["services"]
    for name, service in services.items():
        for key, value in compose_environment(service).items():
            if key.startswith("LOTSE_") and name not in ("redis",):
                assert key in KNOWN_VARIABLES | PENDING_CONSOLE_VARIABLES, f"{name}: {key} is read nowhere"
            if SECRET_NAME.search(key):
                assert value == "" or INTERPOLATION.search(value), f"{name}: {key} has a literal value"
            literal = INTERPOLATION.sub("", value)
            assert not re.search(r"://[^/@\s]*:[^/@\s]+@", literal), f"{name}: a literal password in {key}"


def test_every_compose_variable_is_documented_in_the_deploy_env_example():
    text = (DEPLOY / "docker-compose.yml").read_text(encoding="utf-8")
    used = {m.group(1) for m in INTERPOLATION.finditer(text)}
    documented = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", (DEPLOY / ".env.example").read_text(), re.M))
    assert used <= documented, f"undocumented: {sorted(used - documented)}"
    assert {"LOTSE_DB_PASSWORD", "LOTSE_REDIS_PASSWORD", "LOTSE_PUBLIC_URL"} <= used
    for secret in ("LOTSE_DB_PASSWORD", "LOTSE_REDIS_PASSWORD"):  # required, never defaulted
        assert re.search(rf"\$\{{{secret}:\?", text) and not re.search(rf"\$\{{{secret}:-", text)


def test_rasa_services_receive_every_messenger_variable():
    services = compose()["services"]
    for name in (n for n in services if n.startswith("rasa-")):
        assert messenger_variables() <= set(compose_environment(services[name])), name


def test_compose_wiring_matches_the_services_and_ports():
    services = compose()["services"]
    rasa = compose_environment(services["rasa-1"])
    web = compose_environment(services["web"])
    assert rasa["LOTSE_TRACKER_HOST"] == "postgres:5432"
    assert rasa["LOTSE_TRACKER_DB"] == services["postgres"]["environment"]["POSTGRES_DB"]
    assert rasa["LOTSE_TRACKER_USER"] == services["postgres"]["environment"]["POSTGRES_USER"]
    assert "@postgres:5432/lotse_callbacks" in rasa["LOTSE_CALLBACK_DB_URL"]
    assert "CREATE DATABASE lotse_callbacks" in (DEPLOY / "postgres" / "init.sql").read_text()
    assert "@redis:6379/" in rasa["LOTSE_REDIS_URL"]
    assert rasa["LOTSE_RASA_HOST"] == "0.0.0.0" and rasa["LOTSE_ACTIONS_HOST"] == "lb"
    assert compose_environment(services["actions-1"])["LOTSE_ACTIONS_HOST"] == "0.0.0.0"
    assert web["LOTSE_RASA_HOST"] == "lb" and web["LOTSE_WEB_HOST"] == "0.0.0.0"
    assert int(web["LOTSE_RASA_PORT"]) == DEFAULTS.rasa_port and int(rasa["LOTSE_ACTIONS_PORT"]) == DEFAULTS.actions_port
    listens = set(re.findall(r"listen (\d+);", (DEPLOY / "nginx" / "lotse.conf").read_text()))
    assert {str(DEFAULTS.rasa_port), str(DEFAULTS.actions_port), str(DEFAULTS.web_port), "8090"} == listens
    lb = services["lb"]
    assert "80:8080" in lb["ports"] and "127.0.0.1:8090:8090" in lb["ports"]  # console: staff only
    mounts = {v.split(":")[1]: v.split(":")[0] for v in lb["volumes"]}
    assert mounts["/etc/nginx/conf.d/default.conf"] == "./nginx/lotse.conf"
    assert mounts["/etc/nginx/conf.d/upstreams.conf"] == "./nginx/upstreams.compose.conf"


def test_compose_upstreams_list_each_instance_on_its_port():
    services = compose()["services"]
    blocks = upstreams("upstreams.compose.conf")
    rasa = sorted(f"{n}:{DEFAULTS.rasa_port}" for n in services if n.startswith("rasa-"))
    actions = sorted(f"{n}:{DEFAULTS.actions_port}" for n in services if n.startswith("actions-"))
    assert sorted(servers(blocks["lotse_rasa"])) == sorted(servers(blocks["lotse_rasa_socket"])) == rasa
    assert sorted(servers(blocks["lotse_actions"])) == actions
    assert servers(blocks["lotse_web"]) == [f"web:{DEFAULTS.web_port}"] and servers(blocks["lotse_console"]) == ["console:8090"]
    used = set(re.findall(r"proxy_pass http://(\w+);", (DEPLOY / "nginx" / "lotse.conf").read_text()))
    assert used == set(blocks) == set(upstreams("upstreams.k8s.conf"))


def test_both_platforms_balance_the_same_way():
    compose_blocks, k8s_blocks = upstreams("upstreams.compose.conf"), upstreams("upstreams.k8s.conf")
    for name in compose_blocks:
        rules = lambda block: [d for d in block if not d.startswith("server ")]  # noqa: E731
        assert rules(compose_blocks[name]) == rules(k8s_blocks[name]), name


def test_postgresql_has_room_for_every_connection_the_instances_may_open():
    services = compose()["services"]
    command = " ".join(services["postgres"]["command"])
    max_connections = int(re.search(r"max_connections=(\d+)", command).group(1))
    env = compose_environment(services["rasa-1"])
    settings = load_settings({"LOTSE_INSTANCES": env["LOTSE_INSTANCES"], "LOTSE_DB_CONNECTIONS": env["LOTSE_DB_CONNECTIONS"]})
    processes = 2 * settings.instances + 2
    assert processes * (settings.db_pool.size + settings.db_pool.max_overflow) <= settings.db_connections
    assert settings.db_connections <= max_connections - 10, "keep connections for administration and migrations"


# --- Kubernetes -----------------------------------------------------------------------------------

def test_kustomization_lists_every_manifest_and_generated_file():
    kustomization = yaml.safe_load((DEPLOY / "kustomization.yaml").read_text())
    listed = {Path(r).name for r in kustomization["resources"]}
    assert listed == {p.name for p in (DEPLOY / "k8s").glob("*.yaml")}
    for generator in kustomization["configMapGenerator"]:
        for file in generator["files"]:
            assert (DEPLOY / file).exists(), file
    assert {i["name"] for i in kustomization["images"]} == {"lotse-rasa", "lotse-actions", "lotse-web"}


def test_kubernetes_has_the_same_topology_as_compose():
    names = {d["metadata"]["name"] for d in k8s_documents() if d["kind"] in ("Deployment", "StatefulSet")}
    assert names == APP_SERVICES
    assert not [d for d in k8s_documents() if d["kind"] == "Secret"], "secrets are created with kubectl, never committed"


def test_rasa_replicas_match_the_upstreams_and_the_instance_count():
    docs = {(d["kind"], d["metadata"]["name"]): d for d in k8s_documents()}
    config = docs[("ConfigMap", "lotse-config")]["data"]
    rasa = docs[("StatefulSet", "rasa")]
    instances = int(config["LOTSE_INSTANCES"])
    assert rasa["spec"]["replicas"] == docs[("Deployment", "actions")]["spec"]["replicas"] == instances
    expected = [f"rasa-{i}.{rasa['spec']['serviceName']}:{DEFAULTS.rasa_port}" for i in range(instances)]
    blocks = upstreams("upstreams.k8s.conf")
    assert servers(blocks["lotse_rasa"]) == servers(blocks["lotse_rasa_socket"]) == expected
    assert docs[("Service", "rasa")]["spec"]["clusterIP"] == "None"
    settings = load_settings(config)
    assert (2 * settings.instances + 2) * (settings.db_pool.size + settings.db_pool.max_overflow) <= settings.db_connections
    assert all(key in KNOWN_VARIABLES for key in config)
    assert settings.lock_store == "redis"


def test_every_pod_runs_non_root_with_a_read_only_root_and_pinned_images():
    for name, spec in pod_specs().items():
        assert spec["securityContext"]["runAsNonRoot"] is True and spec["securityContext"]["runAsUser"] != 0, name
        for container in spec["containers"]:
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False and context["readOnlyRootFilesystem"] is True, name
            assert context["capabilities"]["drop"] == ["ALL"], name
            image = container["image"]
            assert image in {"lotse-rasa", "lotse-actions", "lotse-web"} or (":" in image and not image.endswith(":latest")), image
            if image.startswith("lotse-"):
                assert container["args"][0] in SERVICES or container["args"] == ["console"], name


def test_kubernetes_secrets_come_from_the_documented_secrets_only():
    documented = {"lotse-secrets": {
        "LOTSE_DB_PASSWORD", "LOTSE_REDIS_PASSWORD", "LOTSE_CALLBACK_WEBHOOK_SECRET",
        "LOTSE_ACTIONS_SECRET", "LOTSE_WIDGET_SECRET", "LOTSE_CONSOLE_SECRET",
    }}
    guide = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    for spec in pod_specs().values():
        for container in spec["containers"]:
            for item in container.get("env", []):
                ref = (item.get("valueFrom") or {}).get("secretKeyRef")
                if ref:
                    assert ref["key"] in documented[ref["name"]], ref
                    assert ref["key"] in guide
                elif SECRET_NAME.search(item["name"]):
                    assert item.get("value", "").startswith("$("), f"{item['name']} has a literal value"
                if item["name"].startswith("LOTSE_"):
                    assert item["name"] in KNOWN_VARIABLES | DEPLOYMENT_SECRETS | PENDING_CONSOLE_VARIABLES, item["name"]
            for source in container.get("envFrom", []):
                if "secretRef" in source:
                    assert source["secretRef"]["name"] == "lotse-messengers" and source["secretRef"].get("optional")


def test_kubernetes_services_reach_the_ports_their_pods_listen_on():
    docs = k8s_documents()
    pods = {d["spec"]["selector"]["matchLabels"]["app"]: d["spec"]["template"]["spec"] for d in docs if d["kind"] in ("Deployment", "StatefulSet")}
    for service in (d for d in docs if d["kind"] == "Service"):
        spec = pods[service["spec"]["selector"]["app"]]
        listening = {p["containerPort"] for c in spec["containers"] for p in c.get("ports", [])}
        for port in service["spec"]["ports"]:
            assert port["targetPort"] in listening, f"{service['metadata']['name']}: {port}"


def test_the_env_example_documents_exactly_the_settings_table_and_the_messenger_variables():
    documented = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    read = {row.name for row in VARIABLES} | messenger_variables()
    assert documented == read, f"undocumented: {sorted(read - documented)}, read nowhere: {sorted(documented - read)}"


def test_the_env_example_shows_each_settings_default():
    text = (ROOT / ".env.example").read_text()
    # Its paths are relative to the project root, where `make run` starts.
    text = text.replace("=./", f"={ROOT}/").replace(":///./", f":///{ROOT}/")
    documented = dict(re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", text, re.MULTILINE))
    assert Settings.from_environ(documented) == DEFAULTS
