"""The binary as the runner starts it: a crafted environment, no shell, no
GitHub. Checks the exit status (0 done, 1 failed, 2 bad input), the one
::error:: line of a failure, the outputs file, --help/--version, the
agreement of --help with action.yml (both ways, defaults included), and
that the token is printed only inside the ::add-mask:: line.

Environment: BIN, the binary under test (default build/release-train).
"""

import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.path.abspath(os.path.join(ROOT, os.environ.get("BIN", "build/release-train")))
ACTION_YML = os.path.join(ROOT, "action.yml")
WORKFLOWS = os.path.join(ROOT, ".github", "workflows")
TOKEN = "secret123"


# ---- a tiny reader for the YAML subset action.yml and the workflows use ----

def _scalar(text):
    """A YAML scalar on one line: plain, 'single' or "double" quoted."""
    text = text.strip()
    if text.startswith('"'):
        return json.loads(text)  # YAML's double-quoted escapes we use are JSON's
    if text.startswith("'"):
        return text[1:-1].replace("''", "'")
    return re.sub(r"\s+#.*$", "", text)


def _indent(line):
    return len(line) - len(line.lstrip(" "))


def read_mapping_block(path, top_key):
    """{name: {key: scalar}} for the two-level mapping under a top-level key
    (inputs: / outputs:). Block scalars (>-, |) are kept as their marker."""
    with open(path, encoding="utf-8") as f:
        lines = [l.rstrip("\n") for l in f]
    result, current, inside = {}, None, False
    for line in lines:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        indent = _indent(line)
        if indent == 0:
            inside = line.rstrip() == top_key + ":"
            current = None
            continue
        if not inside:
            continue
        key, _, value = line.strip().partition(":")
        if indent == 2:
            current = key
            result[current] = {}
        elif indent == 4 and current is not None:
            result[current][key] = _scalar(value)
    return result


def action_inputs():
    return read_mapping_block(ACTION_YML, "inputs")


def uses_local_action_keys(path):
    """The `with:` keys of every step that uses the action itself (uses: ./)."""
    with open(path, encoding="utf-8") as f:
        lines = [l.rstrip("\n") for l in f]
    found, i = [], 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r"^(\s*)(- )?uses:\s*\./?\s*$", line)
        if not m:
            i += 1
            continue
        step_indent = len(m.group(1)) + (2 if m.group(2) else 0)
        i += 1
        while i < len(lines):
            l = lines[i]
            if l.strip() and _indent(l) < step_indent or l.lstrip().startswith("- ") and _indent(l) <= step_indent - 2:
                break
            if l.strip() == "with:" and _indent(l) == step_indent:
                i += 1
                while i < len(lines) and (not lines[i].strip() or _indent(lines[i]) > step_indent):
                    if _indent(lines[i]) == step_indent + 2 and ":" in lines[i] \
                            and not lines[i].lstrip().startswith("#"):
                        found.append(lines[i].strip().split(":", 1)[0])
                    i += 1
                continue
            i += 1
    return found


# ---- running the binary ----

class Run:
    def __init__(self, proc, outputs):
        self.status = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.outputs = outputs

    def __repr__(self):
        return f"exit {self.status}\n--- stdout\n{self.stdout}--- stderr\n{self.stderr}--- outputs\n{self.outputs}"


class CliTest(unittest.TestCase):
    def setUp(self):
        if not os.access(BIN, os.X_OK):
            self.fail(f"{BIN} is not built (make)")
        self.tmp = tempfile.mkdtemp(prefix="rt-cli-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def run_bin(self, args=(), env=None, actions=True):
        """Run BIN in an empty directory with exactly env (plus, in Actions,
        GITHUB_ACTIONS and temporary GITHUB_OUTPUT/GITHUB_STEP_SUMMARY files)."""
        env = dict(env or {})
        output = os.path.join(self.tmp, "output")
        summary = os.path.join(self.tmp, "summary")
        for path in (output, summary):
            open(path, "w").close()
        if actions:
            env.setdefault("GITHUB_ACTIONS", "true")
            env.setdefault("GITHUB_OUTPUT", output)
            env.setdefault("GITHUB_STEP_SUMMARY", summary)
        env.setdefault("PATH", "/usr/bin:/bin")
        env.setdefault("GITHUB_WORKSPACE", self.tmp)
        proc = subprocess.run([BIN, *args], env=env, cwd=self.tmp, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=30)
        with open(output, encoding="utf-8") as f:
            outputs = f.read()
        return Run(proc, outputs)

    def error_lines(self, run):
        return [l for l in (run.stdout + run.stderr).splitlines() if l.startswith("::error")]

    def assert_one_error(self, run, status, *needles):
        self.assertEqual(run.status, status, run)
        errors = self.error_lines(run)
        self.assertEqual(len(errors), 1, f"exactly one ::error:: line\n{run}")
        for needle in needles:
            self.assertIn(needle, errors[0], run)
        return errors[0]

    # ---- bad input ----

    def test_invalid_boolean_is_one_error_exit_2(self):
        run = self.run_bin(env={"INPUT_MODE": "tag", "INPUT_DRY-RUN": "maybe"})
        line = self.assert_one_error(run, 2, "dry-run", "maybe", "true or false")
        self.assertTrue(line.startswith("::error::"), line)
        self.assertIn("yes/no", line)
        self.assertIn("1/0", line)
        self.assertEqual(run.outputs, "", "no output is set on a failure")
        self.assertEqual(run.stderr, "", "in Actions the annotation goes to stdout")

    def test_missing_mode_exit_2(self):
        run = self.run_bin(env={"INPUT_DRY-RUN": "true"})
        self.assert_one_error(run, 2, "'mode'", "bump, tag or release")
        run = self.run_bin(env={"INPUT_MODE": ""})
        self.assert_one_error(run, 2, "'mode' is required")
        run = self.run_bin(actions=False)
        self.assertEqual(run.status, 2, run)
        self.assertIn("error: input 'mode' is required", run.stderr)
        self.assertNotIn("::", run.stdout + run.stderr, "plain words on a terminal")

    def test_unknown_flag_exit_2(self):
        run = self.run_bin(["tag", "--levle", "patch"], actions=False)
        self.assertEqual(run.status, 2, run)
        self.assertIn("--levle", run.stderr)
        self.assertEqual(run.stdout, "")
        run = self.run_bin(["bump", "--dry-run", "--no-such-flag=1"])
        self.assert_one_error(run, 2, "--no-such-flag")

    def test_unknown_mode_exit_2(self):
        run = self.run_bin(["deploy"], actions=False)
        self.assertEqual(run.status, 2, run)
        self.assertIn("'deploy'", run.stderr)
        run = self.run_bin(env={"INPUT_MODE": "deploy"})
        self.assert_one_error(run, 2, "'deploy'", "bump, tag, release")

    def test_flag_of_another_mode_exit_2(self):
        run = self.run_bin(["tag", "--level", "patch"], actions=False)
        self.assertEqual(run.status, 2, run)
        self.assertIn("'--level' does not apply to mode 'tag'", run.stderr)

    def test_env_inputs_of_other_modes_are_ignored(self):
        # the runner passes every input of action.yml; a bump-only value must not break tag
        run = self.run_bin(env={"INPUT_MODE": "tag", "INPUT_LEVEL": "bogus",
                                "INPUT_CONCURRENCY": "0", "INPUT_MAX-RETRIES": "99"})
        self.assert_one_error(run, 2, "max-retries", "from 0 to 20")
        self.assertNotIn("level", self.error_lines(run)[0])

    # ---- --help and --version ----

    def test_version_with_empty_environment(self):
        proc = subprocess.run([BIN, "--version"], env={}, cwd=self.tmp, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=10)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stderr, "")
        with open(os.path.join(ROOT, "VERSION"), encoding="utf-8") as f:
            version = f.read().strip()
        m = re.fullmatch(r"release-train (\S+) \(libcurl (\d+\.\d+\.\d+\S*), "
                         r"libgit2 (\d+\.\d+\.\d+), cJSON (\d+\.\d+\.\d+)\)\n", proc.stdout)
        self.assertIsNotNone(m, proc.stdout)
        self.assertEqual(m.group(1), version)
        for short in ("-V",):
            again = subprocess.run([BIN, short], env={}, stdout=subprocess.PIPE, text=True, timeout=10)
            self.assertEqual(again.stdout, proc.stdout)

    def test_help_with_empty_environment(self):
        proc = subprocess.run([BIN, "--help"], env={}, cwd=self.tmp, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=10)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("usage: release-train MODE", proc.stdout)
        short = subprocess.run([BIN, "-h"], env={}, stdout=subprocess.PIPE, text=True, timeout=10)
        self.assertEqual(short.stdout, proc.stdout)
        # anywhere on the line, even after a bad flag, offline
        late = subprocess.run([BIN, "tag", "--bogus", "--help"], env={}, stdout=subprocess.PIPE,
                              text=True, timeout=10)
        self.assertEqual(late.returncode, 0)

    def help_flags(self):
        proc = subprocess.run([BIN, "--help"], env={}, stdout=subprocess.PIPE, text=True, timeout=10)
        flags = {}
        for line in proc.stdout.splitlines():
            m = re.match(r"^  --([a-z][a-z0-9-]*)\s+(.*)$", line)
            if m:
                d = re.search(r"\(default: (.*)\)$", m.group(2))
                flags[m.group(1)] = d.group(1) if d else None
        return flags

    def test_help_and_action_yml_list_the_same_inputs(self):
        inputs = action_inputs()
        flags = self.help_flags()
        self.assertGreater(len(inputs), 30, "action.yml was read")
        self.assertEqual(sorted(set(inputs) - set(flags)), [], "inputs of action.yml missing from --help")
        self.assertEqual(sorted(set(flags) - set(inputs)), [], "--help flags missing from action.yml")

    def test_action_yml_defaults_match_help(self):
        flags = self.help_flags()
        for name, attrs in action_inputs().items():
            with self.subTest(input=name):
                self.assertIn("description", attrs)
                self.assertTrue(attrs["description"])
                default = attrs.get("default")
                if default is None:
                    # --help may describe a computed default in words ("(default: the
                    # triggering branch)"); a literal default must be in action.yml too
                    self.assertTrue(flags[name] is None or " " in flags[name],
                                    f"{name} has the default '{flags[name]}' in --help only")
                else:
                    self.assertEqual(flags[name], default.replace("\n", " "))
                self.assertEqual(attrs.get("required") == "true", name == "mode",
                                 "only mode is required")

    def test_action_yml_declares_every_output(self):
        outputs = read_mapping_block(ACTION_YML, "outputs")
        expected = {"version", "previous-version", "branch", "commit", "pr-number", "pr-url",
                    "changed-files", "cut-branch", "skipped", "plan", "tagged", "tag", "sha", "dispatched",
                    "release-id", "release-url", "upload-url", "assets"}
        self.assertEqual(set(outputs), expected)
        for name, attrs in outputs.items():
            self.assertTrue(attrs.get("description"), name)

    def test_workflows_pass_only_declared_inputs(self):
        inputs = action_inputs()
        checked = 0
        for name in sorted(os.listdir(WORKFLOWS)) if os.path.isdir(WORKFLOWS) else []:
            if not name.endswith((".yml", ".yaml")):
                continue
            for key in uses_local_action_keys(os.path.join(WORKFLOWS, name)):
                checked += 1
                self.assertIn(key, inputs, f"{name} passes '{key}', which action.yml does not declare")
        self.assertGreater(checked, 0, "the release workflows use the action")

    # ---- the token ----

    def assert_token_only_in_add_mask(self, run, token=TOKEN, masks=1):
        everything = run.stdout + run.stderr
        mask_lines = [l for l in everything.splitlines() if l == f"::add-mask::{token}"]
        self.assertGreaterEqual(len(mask_lines), masks, run)
        rest = "\n".join(l for l in everything.splitlines() if not l.startswith("::add-mask::"))
        self.assertNotIn(token, rest, run)
        self.assertNotIn(token, run.outputs, run)
        # the mask comes first: nothing can be printed before the runner knows the secret
        if masks:
            self.assertTrue(run.stdout.startswith(f"::add-mask::{token}\n"), run)

    def test_token_masked_in_error_about_another_input(self):
        run = self.run_bin(env={"INPUT_MODE": "tag", "INPUT_TOKEN": TOKEN,
                                "INPUT_DRY-RUN": f"x{TOKEN}y"})
        line = self.assert_one_error(run, 2, "dry-run", "***")
        self.assertIn("x***y", line)
        self.assert_token_only_in_add_mask(run)

    def test_token_masked_when_mode_fails(self):
        for mode in ("bump", "release"):
            run = self.run_bin(env={"INPUT_MODE": mode, "INPUT_TOKEN": TOKEN,
                                    "INPUT_MARKER": f"[{TOKEN}]", "INPUT_DRY-RUN": "true"})
            self.assertIn(run.status, (1, 2), run)
            self.assert_token_only_in_add_mask(run)

    def test_token_never_printed_on_a_terminal(self):
        for env in ({"GITHUB_TOKEN": TOKEN}, {"GH_TOKEN": TOKEN}, {"INPUT_TOKEN": TOKEN}):
            with self.subTest(env=list(env)):
                env = dict(env, **{"INPUT_DRY-RUN": TOKEN})
                run = self.run_bin(["tag"], env=env, actions=False)
                self.assertEqual(run.status, 2, run)
                self.assertIn("'***'", run.stderr)
                self.assertNotIn(TOKEN, run.stdout + run.stderr, run)

    def test_token_with_special_characters_is_escaped_in_add_mask(self):
        token = "ab%cd"
        run = self.run_bin(env={"INPUT_MODE": "tag", "INPUT_TOKEN": token, "INPUT_DRY-RUN": token})
        self.assertEqual(run.status, 2, run)
        self.assertTrue(run.stdout.startswith("::add-mask::ab%25cd\n"), run)
        rest = run.stdout.split("\n", 1)[1] + run.stderr
        self.assertNotIn("ab%cd", rest)
        self.assertNotIn("ab%25cd", rest)


if __name__ == "__main__":
    unittest.main()
