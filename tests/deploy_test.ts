// Deployment files (compose/): the compose stacks as docker-compose reads them, the nginx routing
// run for real in front of stand-in ASR backends, and a schema check of the Kubernetes manifests.
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { existsSync } from "node:fs";
import { parse, parseAllDocuments } from "yaml";
import { startChild } from "../src/stack/child.ts";
import { freePort } from "../src/stack/config.ts";
import { nginxStackConf } from "../src/stack/nginx_conf.ts";
import { named, unmet } from "../tools/requirements.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const COMPOSE = `${ROOT}compose`;
const which = (names: string[]) => names.find((p) => existsSync(p));
const DOCKER_COMPOSE = which(["/usr/bin/docker-compose", "/usr/local/bin/docker-compose"]);
const NGINX = which(["/usr/sbin/nginx", "/usr/bin/nginx"]);
const NO_NGINX = unmet("nginx");
const NO_COMPOSE = unmet("compose");

type Doc = Record<string, unknown>;
const obj = (v: unknown): Doc => (v && typeof v === "object" ? v as Doc : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

// ---- compose ----

function composeFile(name: string): Doc {
  return obj(parse(Deno.readTextFileSync(`${COMPOSE}/${name}`), { merge: true }));
}

Deno.test("compose: every service has a health check; ASR services reserve a GPU", () => {
  const services = obj(composeFile("docker-compose.yml").services);
  deepStrictEqual(Object.keys(services).sort(), [
    "asr-english",
    "asr-multilingual",
    "gateway",
    "license-proxy",
    "nginx",
  ]);
  for (const [name, service] of Object.entries(services)) {
    ok(arr(obj(obj(service).healthcheck).test).length > 0, `${name} has a healthcheck`);
  }
  for (const name of ["asr-english", "asr-multilingual"]) {
    const devices = arr(obj(obj(obj(obj(services[name]).deploy).resources).reservations).devices);
    ok(devices.some((d) => arr(obj(d).capabilities).includes("gpu")), `${name} reserves a GPU`);
  }
  const gateway = obj(obj(services.gateway).environment);
  strictEqual(gateway.AAI_ASR_ENDPOINT, "http://nginx:80");
  strictEqual(obj(obj(services["asr-english"]).environment).ROUTES, "en-default,u3-pro");
  strictEqual(obj(obj(services["asr-multilingual"]).environment).ROUTES, "ml-default");
});

async function composeConfig(files: string[]): Promise<Doc> {
  const out = await new Deno.Command(DOCKER_COMPOSE ?? "docker-compose", {
    args: [...files.flatMap((f) => ["-f", `${COMPOSE}/${f}`]), "config"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  ok(out.success, `docker-compose config failed:\n${text.decode(out.stderr)}`);
  return obj(parse(text.decode(out.stdout)));
}

Deno.test({
  name: named("compose: docker-compose config accepts both stacks", NO_COMPOSE),
  ignore: !!NO_COMPOSE,
  async fn() {
    const standard = obj((await composeConfig(["docker-compose.yml"])).services);
    ok(standard["asr-english"] && standard["asr-multilingual"] && standard.nginx);
    const pro = obj((await composeConfig(["docker-compose.yml", "docker-compose.pro.yml"])).services);
    const asrPro = obj(pro["asr-pro"]);
    strictEqual(obj(asrPro.environment).ROUTES, "u3-pro");
    ok(obj(asrPro.deploy).resources, "the pro service reserves its GPU too");
    ok(arr(obj(pro.nginx).volumes).some((v) => String(v).includes("earshot.pro.conf")));
  },
});

// ---- nginx routing, run for real ----

/** A stand-in ASR backend: answers its name, and upgrades WebSockets to echo "<name>:<message>". */
function fakeBackend(name: string) {
  const port = freePort();
  const server = Deno.serve({ port, hostname: "127.0.0.1", onListen: () => {} }, (req) => {
    if (req.headers.get("upgrade")?.toLowerCase() === "websocket") {
      const { socket, response } = Deno.upgradeWebSocket(req);
      socket.onmessage = (e) => socket.send(`${name}:${e.data}`);
      return response;
    }
    return new Response(name);
  });
  return { port, server };
}

/** Runs nginx on an http-context config file, wrapped in a private prefix. */
async function runNginx(httpConf: string, port: number) {
  const prefix = await Deno.makeTempDir({ prefix: "earshot-nginx-test-" });
  await Deno.mkdir(`${prefix}/tmp`);
  await Deno.writeTextFile(`${prefix}/earshot.conf`, httpConf);
  await Deno.writeTextFile(
    `${prefix}/nginx.conf`,
    `pid ${prefix}/nginx.pid;\nerror_log stderr warn;\nevents {}\nhttp {\n  access_log off;\n` +
      ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((t) =>
        `  ${t}_temp_path ${prefix}/tmp/${t};\n`
      )
        .join("") +
      `  include ${prefix}/earshot.conf;\n}\n`,
  );
  const child = startChild({
    name: "nginx",
    command: NGINX ?? "nginx",
    args: ["-p", prefix, "-c", `${prefix}/nginx.conf`, "-e", "stderr", "-g", "daemon off;"],
    env: {},
    cwd: prefix,
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      const res = await fetch(`${base}/nginx_health`);
      if (res.ok) return { base, child, res, prefix };
      await res.body?.cancel();
    } catch { /* starting */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  await child.stop("SIGKILL");
  throw new Error(`nginx did not start:\n${child.output()}`);
}

async function routedTo(base: string, version?: string): Promise<string> {
  const res = await fetch(base, { headers: version ? { "X-Model-Version": version } : {} });
  return await res.text();
}

async function wsThrough(base: string, version: string): Promise<string> {
  const ws = new WebSocket(base.replace("http", "ws") + "/v1/stream", {
    headers: { "X-Model-Version": version },
  } as unknown as string[]);
  const reply = new Promise<string>((resolve, reject) => {
    ws.onopen = () => ws.send("hello");
    ws.onmessage = (e) => resolve(String(e.data));
    ws.onerror = () => reject(new Error("WebSocket through nginx failed"));
  });
  try {
    return await reply;
  } finally {
    ws.close();
  }
}

for (const file of ["earshot.conf", "earshot.pro.conf"]) {
  Deno.test({
    name: named(`nginx: ${file} routes on X-Model-Version and proxies WebSockets`, NO_NGINX),
    ignore: !!NO_NGINX,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      const backends = {
        "asr-english": fakeBackend("english"),
        "asr-multilingual": fakeBackend("multilingual"),
        "asr-pro": fakeBackend("pro"),
      };
      const port = freePort();
      // The container names become loopback ports; everything else is the shipped file.
      const conf = Deno.readTextFileSync(`${COMPOSE}/nginx/${file}`)
        .replace(
          /server (asr-[a-z]+):50051/g,
          (_, host: keyof typeof backends) => `server 127.0.0.1:${backends[host].port}`,
        )
        .replace("listen 80;", `listen 127.0.0.1:${port};`);
      const nginx = await runNginx(conf, port);
      try {
        strictEqual(await nginx.res.text(), "OK\n");
        const pro = file === "earshot.pro.conf" ? "pro" : "english";
        strictEqual(await routedTo(nginx.base, "en-default"), "english");
        strictEqual(await routedTo(nginx.base, "ml-default"), "multilingual");
        strictEqual(await routedTo(nginx.base, "u3-pro"), pro);
        strictEqual(await routedTo(nginx.base), "english", "no header → English");
        strictEqual(await routedTo(nginx.base, "something-else"), "english");
        strictEqual(await wsThrough(nginx.base, "ml-default"), "multilingual:hello");
        strictEqual(await wsThrough(nginx.base, "u3-pro"), `${pro}:hello`);
      } finally {
        await nginx.child.stop("SIGTERM");
        await Promise.all(Object.values(backends).map((b) => b.server.shutdown()));
        await Deno.remove(nginx.prefix, { recursive: true });
      }
    },
  });
}

Deno.test({
  name: named("nginx: the stack's generated config passes nginx -t", NO_NGINX),
  ignore: !!NO_NGINX,
  async fn() {
    const prefix = await Deno.makeTempDir({ prefix: "earshot-nginx-t-" });
    try {
      await Deno.mkdir(`${prefix}/tmp`);
      const conf = nginxStackConf({
        prefix,
        listenHost: "127.0.0.1",
        port: freePort(),
        english: ["127.0.0.1:1", "127.0.0.1:2"],
        multilingual: ["127.0.0.1:3"],
      });
      await Deno.writeTextFile(`${prefix}/nginx.conf`, conf);
      const out = await new Deno.Command(NGINX ?? "nginx", {
        args: ["-t", "-p", prefix, "-c", `${prefix}/nginx.conf`, "-e", "stderr"],
        stdout: "piped",
        stderr: "piped",
      }).output();
      ok(out.success, new TextDecoder().decode(out.stderr));
    } finally {
      await Deno.remove(prefix, { recursive: true });
    }
  },
});

// ---- Kubernetes manifests ----

interface Manifest {
  file: string;
  doc: Doc;
}

function k8sManifests(): Manifest[] {
  const dir = `${COMPOSE}/k8s`;
  const out: Manifest[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    if (!entry.name.endsWith(".yaml")) continue;
    for (const d of parseAllDocuments(Deno.readTextFileSync(`${dir}/${entry.name}`))) {
      if (d.errors.length) throw new Error(`${entry.name}: ${d.errors.map((e) => e.message).join("; ")}`);
      const doc = obj(d.toJS());
      if (Object.keys(doc).length) out.push({ file: entry.name, doc });
    }
  }
  return out;
}

const nameOf = (d: Doc) => String(obj(d.metadata).name ?? "");
const podSpec = (d: Doc) => obj(obj(obj(d.spec).template).spec);
const podLabels = (d: Doc) => obj(obj(obj(obj(d.spec).template).metadata).labels);
const containers = (d: Doc) => arr(podSpec(d).containers).map(obj);
const portNames = (d: Doc) =>
  new Set(containers(d).flatMap((c) => arr(c.ports).map((p) => obj(p).name)).filter(Boolean));
const subset = (small: Doc, big: Doc) => Object.entries(small).every(([k, v]) => big[k] === v);

Deno.test("k8s: manifests are well-formed and refer to each other correctly", () => {
  const all = k8sManifests();
  const of = (kind: string) => all.filter((m) => m.doc.kind === kind).map((m) => m.doc);
  const names = (kind: string) => new Set(of(kind).map(nameOf));

  for (const { file, doc } of all) {
    ok(typeof doc.apiVersion === "string" && doc.apiVersion, `${file}: apiVersion`);
    ok(typeof doc.kind === "string" && doc.kind, `${file}: kind`);
    if (doc.kind !== "Kustomization") ok(nameOf(doc), `${file}: ${doc.kind} metadata.name`);
  }

  const deployments = of("Deployment");
  deepStrictEqual(
    [...names("Deployment")].sort(),
    ["asr-english", "asr-multilingual", "gateway", "license-proxy", "nginx"],
  );
  for (const d of deployments) {
    const name = nameOf(d);
    const selector = obj(obj(obj(d.spec).selector).matchLabels);
    ok(Object.keys(selector).length > 0, `${name}: selector.matchLabels`);
    ok(subset(selector, podLabels(d)), `${name}: the selector matches the template labels`);
    ok(containers(d).length > 0, `${name}: containers`);
    for (const c of containers(d)) {
      ok(c.image, `${name}/${c.name}: image`);
      const ports = arr(c.ports).map(obj);
      ok(
        ports.length > 0 && ports.every((p) => Number.isInteger(p.containerPort)),
        `${name}: container ports`,
      );
      for (const probe of ["readinessProbe", "livenessProbe"]) {
        const p = obj(c[probe]);
        const port = obj(p.httpGet).port ?? obj(p.tcpSocket).port;
        ok(port !== undefined, `${name}: ${probe}`);
        if (typeof port === "string") {
          ok(portNames(d).has(port), `${name}: ${probe} port ${port} is declared`);
        }
      }
    }
    for (const v of arr(podSpec(d).volumes).map(obj)) {
      const cm = obj(v.configMap).name;
      if (cm) ok(names("ConfigMap").has(String(cm)), `${name}: ConfigMap ${cm} exists`);
      const claim = obj(v.persistentVolumeClaim).claimName;
      if (claim) ok(names("PersistentVolumeClaim").has(String(claim)), `${name}: PVC ${claim} exists`);
    }
  }
  for (const name of ["asr-english", "asr-multilingual"]) {
    const d = deployments.find((x) => nameOf(x) === name) ?? {};
    const gpu = containers(d).some((c) => obj(obj(c.resources).limits)["nvidia.com/gpu"] === 1);
    ok(gpu, `${name} asks for a GPU`);
  }
  const gatewayPod = obj(obj(obj(deployments.find((d) => nameOf(d) === "gateway")?.spec).template).metadata);
  strictEqual(obj(gatewayPod.annotations)["prometheus.io/path"], "/metrics", "gateway metrics are scraped");

  for (const s of of("Service")) {
    const selector = obj(obj(s.spec).selector);
    const target = deployments.find((d) => subset(selector, podLabels(d)));
    ok(target, `Service ${nameOf(s)} selects a Deployment`);
    for (const p of arr(obj(s.spec).ports).map(obj)) {
      if (typeof p.targetPort === "string") {
        ok(portNames(target).has(p.targetPort), `${nameOf(s)}: targetPort`);
      }
    }
  }
  // nginx's config names these Services.
  for (const host of ["asr-english", "asr-multilingual"]) ok(names("Service").has(host), `Service ${host}`);

  const hpas = of("HorizontalPodAutoscaler");
  ok(hpas.length > 0, "an HPA");
  for (const h of hpas) {
    const ref = obj(obj(h.spec).scaleTargetRef);
    strictEqual(ref.kind, "Deployment");
    ok(names("Deployment").has(String(ref.name)), `HPA ${nameOf(h)} targets an existing Deployment`);
    const metrics = arr(obj(h.spec).metrics).map(obj);
    for (const m of metrics) {
      const source = obj(m[String(m.type).toLowerCase()]);
      strictEqual(obj(source.metric).name, "earshot_active_sessions", `HPA ${nameOf(h)} metric`);
      const described = obj(source.describedObject);
      if (described.kind === "Service") ok(names("Service").has(String(described.name)));
    }
  }

  const nginxConf = obj(of("ConfigMap").find((c) => nameOf(c) === "nginx-earshot")?.data)["earshot.conf"];
  strictEqual(nginxConf, Deno.readTextFileSync(`${COMPOSE}/nginx/earshot.conf`), "ConfigMap = compose file");

  const kustomization = of("Kustomization")[0] ?? {};
  const files = [...new Set(all.map((m) => m.file))].filter((f) => f !== "kustomization.yaml").sort();
  deepStrictEqual(arr(kustomization.resources).map(String).sort(), files, "kustomization lists every file");
});
