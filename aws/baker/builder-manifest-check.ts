/**
 * The builder's check of the artifact's bakeshift.json, in Python (the base images have python3, no Node.js): the
 * rules of core/config/artifact-manifest.ts, for an artifact anyone's CI may have uploaded without the CLI. On
 * a problem it prints one `bakeshift.json: field: reason` line each, as the CLI does, and exits 1.
 */
export const MANIFEST_CHECK = String.raw`import json, re, sys

PACKAGE = re.compile(r'[A-Za-z0-9][A-Za-z0-9+._:-]*')
FIELDS = ('start', 'healthPath', 'version', 'bake', 'packages')


def text_problem(value, rule):
    if not isinstance(value, str):
        return 'must be a string'
    try:
        value.encode('utf-8')
    except UnicodeEncodeError:
        return 'must be valid Unicode'
    return rule(value)


def problems(manifest):
    if not isinstance(manifest, dict):
        return ['(root): must be an object']
    found = ['(root): unrecognized key %s' % json.dumps(key) for key in manifest if key not in FIELDS]
    rules = {
        'start': lambda v: None if v else 'must not be empty',
        'bake': lambda v: None if v else 'must not be empty',
        'version': lambda v: None if 0 < len(v) <= 64 else 'must be 1 to 64 characters',
        'healthPath': lambda v: None if v.startswith('/') else 'must start with "/"',
    }
    if 'start' not in manifest:
        found.append('start: required')
    for key, rule in rules.items():
        problem = text_problem(manifest[key], rule) if key in manifest else None
        if problem:
            found.append('%s: %s' % (key, problem))
    packages = manifest.get('packages', [])
    if not isinstance(packages, list):
        return found + ['packages: must be a list']
    if len(packages) > 50:
        found.append('packages: at most 50')
    return found + ['packages.%d: must be a package name' % i for i, name in enumerate(packages)
                    if not (isinstance(name, str) and PACKAGE.fullmatch(name))]


try:
    with open(sys.argv[1], encoding='utf-8') as file:
        found = problems(json.load(file))
except (OSError, ValueError) as error:
    found = ['(root): not readable JSON (%s)' % error]
sys.stdout.reconfigure(errors='backslashreplace')
print('\n'.join('bakeshift.json: ' + problem for problem in found))
sys.exit(1 if found else 0)
`;
