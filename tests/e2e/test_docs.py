"""The README tells the truth: its tables are action.yml's, every error
message in src/ has a troubleshooting entry, and its quick-start workflows
are the ones the project itself runs (.github/workflows, `uses: ./`)."""
import os
import re
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from test_cli import _indent, _scalar  # noqa: E402

README = os.path.join(ROOT, "README.md")
WORKFLOWS = os.path.join(ROOT, ".github", "workflows")
# with: values that belong to one project: release-train's own version is
# a VERSION file and its artifact is one binary, a Cargo workspace's are not
PROJECT_SPECIFIC = {"version-files", "version-from", "files"}


def readme():
    with open(README, encoding="utf-8") as f:
        return f.read()


def release_train_steps(lines):
    """[(mode, {with-key: value})] of the steps that use the action."""
    steps, i = [], 0
    while i < len(lines):
        m = re.match(r"^(\s*)- uses:\s*(\./|[\w-]+/release-train@\S+)\s*$", lines[i])
        if not m:
            i += 1
            continue
        indent = len(m.group(1)) + 2
        i += 1
        values = {}
        while i < len(lines) and (not lines[i].strip() or _indent(lines[i]) >= indent) \
                and not lines[i].lstrip().startswith("- "):
            if lines[i].strip() == "with:":
                i += 1
                while i < len(lines) and (not lines[i].strip() or _indent(lines[i]) > indent):
                    line = lines[i].strip()
                    if line and not line.startswith("#") and ":" in line:
                        key, _, value = line.partition(":")
                        values[key] = _scalar(value)
                    i += 1
                continue
            i += 1
        steps.append(values)
    return steps


def top_level_keys(lines, key):
    """The keys right under a top-level mapping key (on:, permissions:)."""
    out, inside = [], False
    for line in lines:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if _indent(line) == 0:
            inside = line.split(":")[0] == key
            continue
        if inside and _indent(line) == 2:
            out.append(line.strip().split(":")[0])
    return out


class Readme(unittest.TestCase):
    def test_tables_are_action_yml(self):
        r = subprocess.run([os.path.join(ROOT, "scripts", "readme-tables"), "--check"],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_every_error_message_has_a_troubleshooting_entry(self):
        r = subprocess.run([os.path.join(ROOT, "scripts", "error-messages"), "--missing"],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, "error messages of src/ without an entry in README's "
                         "Troubleshooting section:\n" + r.stdout + r.stderr)
        listed = subprocess.run([os.path.join(ROOT, "scripts", "error-messages")],
                                capture_output=True, text=True).stdout.splitlines()
        self.assertGreater(len(listed), 100, "the messages were found in src/")

    def test_quick_start_workflows_are_the_projects_own(self):
        text = readme()
        blocks = re.findall(r"```yaml\n# \.github/workflows/([\w.-]+)\n(.*?)```", text, re.S)
        names = [name for name, _ in blocks]
        for wanted in ("bump-version.yml", "push-tag.yml", "main.yml"):
            self.assertIn(wanted, names, f"the README shows {wanted}")
        for name, body in blocks:
            path = os.path.join(WORKFLOWS, name)
            self.assertTrue(os.path.exists(path), f"the README shows {name}, the project has none")
            with open(path, encoding="utf-8") as f:
                own = f.read().splitlines()
            shown = body.splitlines()
            self.assertEqual(top_level_keys(shown, "on"), top_level_keys(own, "on"), f"{name}: triggers")
            shown_steps, own_steps = release_train_steps(shown), release_train_steps(own)
            self.assertTrue(shown_steps, f"{name}: the README's snippet uses release-train")
            self.assertEqual(len(shown_steps), len(own_steps), f"{name}: release-train steps")
            for s, o in zip(shown_steps, own_steps):
                self.assertEqual(s.get("mode"), o.get("mode"), f"{name}: mode")
                for key in set(s) | set(o):
                    if key in PROJECT_SPECIFIC:
                        continue
                    self.assertEqual(s.get(key), o.get(key), f"{name}: with: {key}")

    def test_the_project_workflows_use_the_action_itself(self):
        for name in ("bump-version.yml", "push-tag.yml", "main.yml"):
            with open(os.path.join(WORKFLOWS, name), encoding="utf-8") as f:
                self.assertRegex(f.read(), r"\n\s*- uses: \./\n", name)


if __name__ == "__main__":
    unittest.main()
