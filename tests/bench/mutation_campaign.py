#!/usr/bin/python3
"""Mutation campaign (issue 16): damaged copies of every input kind a user hands bitshift-cli,
each run as a user would run it, under a memory cap and a time limit.

  tests/bench/mutation_campaign.py BUILD_DIR [--per-kind N] [--seed S] [--out FILE]

Seeds are tests/fuzz/corpus (written by the real writers, tests/fuzz/make_seeds.sh) and a bundle
exported here from the corpus's checkpoint. For each kind, N mutants (bit flips, interesting
bytes, truncation, duplicated or inserted chunks; for JSON also type swaps, huge numbers and deep
nesting); each run is classified:
  ok        exit 0, 1 (a check failed) or 2 (refused) with the file named on stderr
  crash     killed by a signal
  hang      still running after --timeout seconds (killed)
  unnamed   exit 2 whose message does not name the mutated file
  library   stderr shows library text (nlohmann's "[json.exception", LibTorch's "Exception raised
            from", "terminate called", "bad_alloc", a backtrace)
  other     any other exit code
Peak RSS per kind comes from wait4. The address space is capped at --mem-gib (8) per run.
"""
import argparse, json, os, random, re, resource, shutil, signal, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "fuzz", "corpus")
LIBRARY_TEXT = re.compile(r"\[json\.exception|Exception raised from|terminate called|bad_alloc|"
                          r"frame #\d|what\(\):|Aborted|Segmentation fault")

def mutate_bytes(data, rng):
    data = bytearray(data)
    kind = rng.randrange(6)
    if not data:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 64)))
    if kind == 0:  # bit flips
        for _ in range(rng.randrange(1, 9)):
            i = rng.randrange(len(data)); data[i] ^= 1 << rng.randrange(8)
    elif kind == 1:  # interesting bytes / 32-bit values
        for _ in range(rng.randrange(1, 5)):
            i = rng.randrange(len(data))
            v = rng.choice([b"\x00", b"\xff", b"\x7f", b"\x80", b"\xff\xff\xff\x7f", b"\x00\x00\x00\x80",
                            b"\xff\xff\xff\xff", b"\x00\x00\x00\x00", b"\x01\x00\x00\x00"])
            data[i:i + len(v)] = v
    elif kind == 2:  # truncation
        del data[rng.randrange(len(data)):]
    elif kind == 3:  # a chunk duplicated
        i = rng.randrange(len(data)); j = min(len(data), i + rng.randrange(1, 4096))
        data[j:j] = data[i:j]
    elif kind == 4:  # random bytes inserted
        i = rng.randrange(len(data))
        data[i:i] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 32)))
    else:  # a region zeroed
        i = rng.randrange(len(data)); j = min(len(data), i + rng.randrange(1, 256))
        data[i:j] = bytes(j - i)
    return bytes(data)

JSON_VALUES = [None, True, -1, 0, 2**31, 2**63, -2**63, 1e308, -1e308, 0.5, "", "x" * 5000, [], {}, "per-channel",
               [0, 0, 0, 0], [2**40, 2**40], "../../etc/passwd"]

def mutate_json_value(v, rng, depth=0):
    if isinstance(v, dict) and v and rng.random() < 0.8:
        k = rng.choice(list(v))
        if rng.random() < 0.15:
            del v[k]
        else:
            v[k] = mutate_json_value(v[k], rng, depth + 1)
        return v
    if isinstance(v, list) and v and rng.random() < 0.8:
        i = rng.randrange(len(v))
        r = rng.random()
        if r < 0.1:
            del v[i]
        elif r < 0.2:
            v.append(v[i])
        else:
            v[i] = mutate_json_value(v[i], rng, depth + 1)
        return v
    if rng.random() < 0.05:
        return "DEEP"  # replaced by 200,000 nested arrays once dumped
    return rng.choice(JSON_VALUES)

def mutate_json(text, rng):
    try:
        doc = json.loads(text)
    except Exception:
        return mutate_bytes(text, rng)
    if rng.random() < 0.3:
        return mutate_bytes(text, rng)
    doc = mutate_json_value(doc, rng)
    out = json.dumps(doc)
    return out.replace('"DEEP"', "[" * 200000 + "]" * 200000).encode()

def is_json(path):
    return path.endswith(".json")

def run(cmd, timeout, mem_gib, cwd):
    """Exit code (negative: the signal), stderr, whether it was killed for time, seconds, peak RSS MB."""
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (mem_gib << 30, mem_gib << 30))
        os.setsid()
    start = time.time()
    with tempfile.TemporaryFile() as errf:
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=errf, preexec_fn=limit, cwd=cwd)
        hung = False
        while True:
            pid, status, usage = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.time() - start > timeout:
                os.killpg(p.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(p.pid, 0)
                hung = True
                break
            time.sleep(0.02)
        p.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        errf.seek(0)
        err = errf.read().decode(errors="replace")
    return p.returncode, err, hung, time.time() - start, usage.ru_maxrss // 1024

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--per-kind", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=int, default=60)
    ap.add_argument("--mem-gib", type=int, default=8)
    ap.add_argument("--kinds", default="")
    ap.add_argument("--keep", default="", help="folder for the inputs of every finding")
    args = ap.parse_args()
    cli = os.path.join(os.path.abspath(args.build), "app", "bitshift-cli")
    work = tempfile.mkdtemp(prefix="bitshift-mutants-")
    keep = args.keep or os.path.join(work, "findings")
    os.makedirs(keep, exist_ok=True)
    rng = random.Random(args.seed)
    tiny = os.path.join(CORPUS, "onnx", "tiny.onnx")
    ckpt = os.path.join(CORPUS, "checkpoint", "tiny-w4a4.bsck")
    env_threads = ["--threads", "1"]

    # The real bundle to mutate: exported here from the corpus's checkpoint.
    bundle_seed = os.path.join(work, "bundle-seed")
    subprocess.run([cli, "export", "--model", ckpt, "--out", bundle_seed, "--vectors", "1",
                    "--agreement-images", "8", "--no-verify"] + env_threads, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    bundle_files = sorted(os.path.relpath(os.path.join(r, f), bundle_seed)
                          for r, _, fs in os.walk(bundle_seed) for f in fs
                          if not f.startswith("verification") and not r.endswith("host"))

    # An IDX data folder (3 images a split) and an image folder (10 classes, one image each).
    import gzip, struct
    def idx_folder(path):
        os.makedirs(path, exist_ok=True)
        pair = open(os.path.join(CORPUS, "idx", "raw"), "rb").read()
        n = struct.unpack("<I", pair[:4])[0]
        images, labels = pair[4:4 + n], pair[4 + n:]
        for split in ("train", "t10k"):
            open(os.path.join(path, f"{split}-images-idx3-ubyte"), "wb").write(images)
            open(os.path.join(path, f"{split}-labels-idx1-ubyte"), "wb").write(labels)
    def image_folder(path):
        src = [os.path.join(CORPUS, "image", f) for f in sorted(os.listdir(os.path.join(CORPUS, "image")))]
        for c in range(10):
            d = os.path.join(path, f"class{c}")
            os.makedirs(d, exist_ok=True)
            s = src[c % len(src)]
            shutil.copy(s, os.path.join(d, "a" + os.path.splitext(s)[1]))

    def single(seed_path, name, command):
        """A kind whose input is one file: (make(i) -> (cmd, mutated path))."""
        data = open(seed_path, "rb").read()
        def make(i):
            path = os.path.join(work, f"{i}-{name}")
            m = mutate_json(data, rng) if is_json(seed_path) else mutate_bytes(data, rng)
            open(path, "wb").write(m)
            return command(path), path, path
        return make

    def in_folder(setup, pick, command):
        def make(i):
            d = os.path.join(work, f"{i}-dir")
            setup(d)
            files = sorted(os.path.join(r, f) for r, _, fs in os.walk(d) for f in fs)
            target = pick(files)
            data = open(target, "rb").read()
            open(target, "wb").write(mutate_json(data, rng) if is_json(target) else mutate_bytes(data, rng))
            return command(d), target, d
        return make

    def bundle(rehash):
        def make(i):
            d = os.path.join(work, f"{i}-bundle")
            shutil.copytree(bundle_seed, d)
            rel = rng.choice(bundle_files)
            target = os.path.join(d, rel)
            data = open(target, "rb").read()
            open(target, "wb").write(mutate_json(data, rng) if is_json(target) else mutate_bytes(data, rng))
            if rehash and rel != "MANIFEST.json":
                import hashlib
                m = json.load(open(os.path.join(d, "MANIFEST.json")))
                for f in m["files"]:
                    if f["path"] == rel:
                        b = open(target, "rb").read()
                        f["bytes"], f["sha256"] = len(b), hashlib.sha256(b).hexdigest()
                json.dump(m, open(os.path.join(d, "MANIFEST.json"), "w"))
            return [cli, "verify", d, "--timeout", "30"], target, d
        return make

    kinds = {
        "checkpoint (summary)": single(ckpt, "model.bsck", lambda p: [cli, "summary", "--model", p]),
        "checkpoint (eval)": single(ckpt, "model.bsck", lambda p: [cli, "eval", "--model", p, "--test-limit", "8"] + env_threads),
        "onnx (summary)": single(tiny, "model.onnx", lambda p: [cli, "summary", "--model", p]),
        "torchscript (summary)": single(os.path.join(CORPUS, "torchscript", "tiny.pt"), "model.pt",
                                        lambda p: [cli, "summary", "--model", p]),
        "run record (compare)": single(os.path.join(CORPUS, "run_record", "tiny-w4a4.json"), "run.json",
                                       lambda p: [cli, "compare", p]),
        "plan (cost --plan)": single(os.path.join(CORPUS, "plan", "tiny.json"), "plan.json",
                                     lambda p: [cli, "cost", "--model", tiny, "--plan", p]),
        "bundle file (verify)": bundle(rehash=False),
        "bundle file, re-hashed (verify)": bundle(rehash=True),
        "IDX folder (eval --data)": in_folder(idx_folder, lambda fs: rng.choice(fs),
                                              lambda d: [cli, "eval", "--model", tiny, "--data", d] + env_threads),
        "image folder (eval --data)": in_folder(image_folder, lambda fs: rng.choice(fs),
                                                lambda d: [cli, "eval", "--model", tiny, "--data", d] + env_threads),
    }
    if args.kinds:
        kinds = {k: v for k, v in kinds.items() if any(s in k for s in args.kinds.split(","))}
    print(f"# {args.per_kind} mutants per kind, seed {args.seed}, address space <= {args.mem_gib} GiB, "
          f"timeout {args.timeout} s; {cli}")
    print("| input kind (command) | runs | ok | crash | hang | unnamed | library | other | peak RSS MB | s/run |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    total_bad = 0
    for kind, make in kinds.items():
        counts = dict(ok=0, crash=0, hang=0, unnamed=0, library=0, other=0)
        peak = 0
        elapsed = 0.0
        for i in range(args.per_kind):
            cmd, target, cleanup = make(i)
            rc, err, hung, secs, rss = run(cmd, args.timeout, args.mem_gib, work)
            elapsed += secs
            peak = max(peak, rss)
            names = os.path.basename(target) in err or os.path.basename(cleanup) in err
            if hung:
                verdict = "hang"
            elif rc < 0:
                verdict = "crash"
            elif LIBRARY_TEXT.search(err):
                verdict = "library"
            elif rc == 2 and not names:
                verdict = "unnamed"
            elif rc in (0, 1, 2):
                verdict = "ok"
            else:
                verdict = "other"
            counts[verdict] += 1
            if verdict != "ok":
                total_bad += 1
                slug = re.sub(r"[^a-z]+", "-", kind.lower()).strip("-")
                dest = os.path.join(keep, f"{slug}-{i}-{verdict}")
                if os.path.isdir(cleanup):
                    shutil.copytree(cleanup, dest)
                else:
                    shutil.copy(cleanup, dest)
                open(dest + ".txt", "w").write(" ".join(cmd) + f"\nexit {rc}\n" + err[-4000:])
            if os.path.isdir(cleanup):
                shutil.rmtree(cleanup, ignore_errors=True)
            elif os.path.exists(cleanup):
                os.remove(cleanup)
        print(f"| {kind} | {args.per_kind} | {counts['ok']} | {counts['crash']} | {counts['hang']} | "
              f"{counts['unnamed']} | {counts['library']} | {counts['other']} | {peak} | "
              f"{elapsed / args.per_kind:.2f} |", flush=True)
    print(f"# findings kept in {keep}" if total_bad else "# no findings")
    return 1 if total_bad else 0

if __name__ == "__main__":
    sys.exit(main())
