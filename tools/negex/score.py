#!/usr/bin/env python3
"""Score negation predictions against sentences.tsv.

  python3 score.py sentences.tsv predictions.tsv
      predictions: id<TAB>label lines (any order; missing ids count as wrong)
  python3 score.py sentences.tsv --lines out.txt [--map a=b,c=d,...]
      out.txt: one line per input line, same order; the label is the first
      tab-separated field, mapped through --map. Lines starting with 'error'
      (or labels that cannot be mapped) count as wrong and are reported.
Options: --errors  list every misclassified id.
"""
import sys

LABELS = ('negated', 'affirmed', 'possible')


def read_gold(path):
    gold = []
    with open(path, encoding='utf-8') as fh:
        for n, line in enumerate(fh, 1):
            line = line.rstrip('\n')
            if not line.strip():
                continue
            f = line.split('\t')
            if len(f) != 4 or f[3] not in LABELS:
                sys.exit('%s:%d: bad gold line' % (path, n))
            gold.append((f[0], f[1], f[2], f[3]))
    return gold


def prf(gold, pred, cls):
    tp = sum(1 for g, p in zip(gold, pred) if g == cls and p == cls)
    fp = sum(1 for g, p in zip(gold, pred) if g != cls and p == cls)
    fn = sum(1 for g, p in zip(gold, pred) if g == cls and p != cls)
    P = tp / (tp + fp) if tp + fp else 0.0
    R = tp / (tp + fn) if tp + fn else 0.0
    F = 2 * P * R / (P + R) if P + R else 0.0
    return tp, fp, fn, P, R, F


def main(argv):
    show_errors = '--errors' in argv
    argv = [a for a in argv if a != '--errors']
    if len(argv) < 2:
        sys.exit(__doc__)
    gold = read_gold(argv[0])
    ids = [g[0] for g in gold]
    problems = []
    if argv[1] == '--lines':
        if len(argv) < 3:
            sys.exit(__doc__)
        mapping = {}
        if len(argv) >= 5 and argv[3] == '--map':
            for kv in argv[4].split(','):
                k, v = kv.split('=', 1)
                mapping[k.strip()] = v.strip()
        with open(argv[2], encoding='utf-8') as fh:
            lines = [l.rstrip('\n') for l in fh]
        while lines and not lines[-1].strip():
            lines.pop()
        if len(lines) != len(gold):
            problems.append('line count %d != gold count %d' % (len(lines), len(gold)))
        pred = []
        for i, gid in enumerate(ids):
            if i >= len(lines):
                pred.append('MISSING')
                problems.append('%s: missing output line' % gid)
                continue
            raw = lines[i].split('\t')[0].strip()
            if raw.lower().startswith('error'):
                pred.append('ERROR')
                problems.append('%s: %s' % (gid, lines[i]))
                continue
            lab = mapping.get(raw, raw)
            if lab not in LABELS:
                problems.append('%s: unmapped label %r' % (gid, raw))
                lab = 'UNMAPPED'
            pred.append(lab)
    else:
        got = {}
        with open(argv[1], encoding='utf-8') as fh:
            for line in fh:
                f = line.rstrip('\n').split('\t')
                if len(f) >= 2:
                    got[f[0].strip()] = f[1].strip()
        pred = []
        for gid in ids:
            lab = got.get(gid, 'MISSING')
            if lab == 'MISSING':
                problems.append('%s: no prediction' % gid)
            elif lab not in LABELS:
                problems.append('%s: bad label %r' % (gid, lab))
            pred.append(lab)
    g = [x[3] for x in gold]
    n = len(g)
    acc = sum(1 for a, b in zip(g, pred) if a == b) / n
    print('items: %d   accuracy: %.3f' % (n, acc))
    for cls in ('negated', 'possible', 'affirmed'):
        tp, fp, fn, P, R, F = prf(g, pred, cls)
        print('%-9s P=%.3f R=%.3f F1=%.3f  (tp=%d fp=%d fn=%d)' % (cls, P, R, F, tp, fp, fn))
    print('confusion (rows gold, cols predicted):')
    cols = list(LABELS) + sorted(set(pred) - set(LABELS))
    print('%-10s' % '' + ''.join('%10s' % c for c in cols))
    for r in LABELS:
        print('%-10s' % r + ''.join('%10d' % sum(1 for a, b in zip(g, pred) if a == r and b == c) for c in cols))
    if problems:
        print('problems: %d' % len(problems))
        for p in problems[:50]:
            print('  ' + p)
    if show_errors:
        for (gid, tgt, sent, lab), p in zip(gold, pred):
            if lab != p:
                print('ERR %s gold=%s pred=%s [%s] %s' % (gid, lab, p, tgt, sent))


if __name__ == '__main__':
    main(sys.argv[1:])
