#!/usr/bin/env python3
"""Classic NegEx (Chapman et al. 2001; negex.python release), stdlib only.

Usage: python3 negex.py [--window5] [--no-possible] [--no-quirk] [--triggers FILE] sentences.tsv > out.tsv
Input lines:  id<TAB>target<TAB>sentence[<TAB>label]
Output lines: id<TAB>negated|affirmed|possible

Default scope is the negex.python one: a pre-trigger ([PREN]/[PREP]) scopes
forward to the end of the sentence, a post-trigger ([POST]/[POSP]) backward to
the start of the sentence; scope stops at a conjunction/termination [CONJ],
a pseudo-trigger [PSEU], or another trigger. [PREN] takes precedence over
[POST], which takes precedence over [PREP], which takes precedence over [POSP].

--window5 reproduces the 2001 paper: the finding must additionally lie within
five terms of the trigger (a multi-word trigger and the multi-word target
each count as one term, as the UMLS-phrase based original did).
"""
import os
import re
import sys

FILLER = '_'
TAGS = ('[PREN]', '[POST]', '[PSEU]', '[CONJ]', '[PREP]', '[POSP]')


def load_rules(path):
    rules = []
    with open(path, encoding='utf-8') as fh:
        for line in fh:
            line = line.rstrip('\n')
            if not line.strip() or line.startswith('#'):
                continue
            parts = [p for p in line.split('\t') if p != '']
            rules.append((parts[0].strip(), parts[1].strip()))
    return sort_rules(rules)


def sort_rules(rules):
    """negex.python sortRules: longest first, trigger compiled to a regex."""
    rules = sorted(rules, key=lambda r: len(r[0] + '\t\t' + r[1]), reverse=True)
    out = []
    for trig, tag in rules:
        pattern = r'\b(' + r'\s+'.join(re.escape(w) for w in trig.split()) + r')\b'
        out.append((trig, tag, re.compile(pattern, re.IGNORECASE)))
    return out


QUIRK = True  # negex.python: the token right before the next same-type trigger is left out


def _scan(tokens, start_tag, stop_tags, src, dst, window, backward):
    """One negex.python scope pass over tokens (in place).

    As in negex.python, when the next token is another trigger of the same
    type the current token closes the scope and is itself left untagged
    (so in "no X, no Y" X is not negated). --no-quirk tags that token.
    """
    seq = list(range(len(tokens)))
    if backward:
        seq.reverse()
    flag = 0
    overlap = 0
    dist = None
    for k, i in enumerate(seq):
        tok = tokens[i]
        if tok[:6] == start_tag:
            flag = 1
            overlap = 0
            dist = 0
        elif dist is not None:
            dist += 1
        if tok[:6] in stop_tags:
            overlap = 1
        if QUIRK and k + 1 < len(seq) and tokens[seq[k + 1]][:6] == start_tag:
            overlap = 1
        if flag == 1 and overlap == 0:
            if window is None or (dist is not None and dist <= window):
                tokens[i] = tok.replace(src, dst)


def neg_tag(sentence, phrases, rules, neg_possible=True, window=None):
    s = sentence
    for trig, tag, rx in rules:
        reformat = re.sub(r'\s+', FILLER, trig.strip())
        s = rx.sub(' ' + tag + reformat + tag + ' ', s)
    for phrase in phrases:
        split = phrase.split()
        joined = r'\b' + r'\W+'.join(re.escape(w) for w in split) + r'\b'
        m = re.search(joined, s, re.IGNORECASE)
        if m:
            s = s.replace(m.group(0), '[PHRASE]' + re.sub(r'\s+', FILLER, m.group(0).strip()) + '[PHRASE]')
    toks = s.split()
    # [PREN] forward, then [POST] backward
    _scan(toks, '[PREN]', ('[CONJ]', '[PSEU]', '[POST]', '[PREP]', '[POSP]'),
          '[PHRASE]', '[NEGATED]', window, False)
    _scan(toks, '[POST]', ('[CONJ]', '[PSEU]', '[PREN]', '[PREP]', '[POSP]'),
          '[PHRASE]', '[NEGATED]', window, True)
    if neg_possible:
        _scan(toks, '[PREP]', ('[CONJ]', '[PSEU]', '[POST]', '[PREN]', '[POSP]'),
              '[PHRASE]', '[POSSIBLE]', window, False)
        _scan(toks, '[POSP]', ('[CONJ]', '[PSEU]', '[PREN]', '[PREP]', '[POST]'),
              '[PHRASE]', '[POSSIBLE]', window, True)
    tagged = ' '.join(toks).replace(FILLER, ' ')
    return tagged


def flag(tagged):
    if '[NEGATED]' in tagged:
        return 'negated'
    if '[POSSIBLE]' in tagged:
        return 'possible'
    return 'affirmed'


def main(argv):
    window = None
    neg_possible = True
    trig_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'negex_triggers.txt')
    debug = False
    args = []
    it = iter(argv)
    for a in it:
        if a == '--window5':
            window = 5
        elif a == '--no-possible':
            neg_possible = False
        elif a == '--triggers':
            trig_path = next(it)
        elif a == '--no-quirk':
            global QUIRK
            QUIRK = False
        elif a == '--debug':
            debug = True
        else:
            args.append(a)
    if len(args) != 1:
        sys.stderr.write(__doc__)
        return 2
    rules = load_rules(trig_path)
    with open(args[0], encoding='utf-8') as fh:
        for line in fh:
            line = line.rstrip('\n')
            if not line.strip():
                continue
            f = line.split('\t')
            tagged = neg_tag(f[2], [f[1]], rules, neg_possible, window)
            out = f[0] + '\t' + flag(tagged)
            if debug:
                out += '\t' + tagged
            print(out)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
