#!/usr/bin/env python3
"""old_file.py SRC DST VERSION [--wide-codes] [--rename OLD=NEW]

SRC, an escsim result file, rewritten object by object as DST in the form
escsim wrote before schema 1.2: h5py's default file format (no metadata
checksums), tables shuffled and deflated without Fletcher-32, and the root
attribute schema_version set to VERSION.  --wide-codes stores the code
columns as int32 (schema 1.0, before they were narrowed); --rename renames
a column in every table that has it (a name damaged by a bit flip).
Used by tests/cli/merge.t and tests/bad/damage.t.
"""
import sys

import h5py
import numpy as np

CODES = {"regime", "actor", "target", "zone", "type", "true_perpetrator",
         "perceived_perpetrator", "channel", "sender", "receiver", "party"}

src, dst, version = sys.argv[1:4]
wide = "--wide-codes" in sys.argv[4:]
rename = {}
for i, arg in enumerate(sys.argv[4:]):
    if arg == "--rename":
        old, new = sys.argv[5 + i].split("=", 1)
        rename[old] = new

with h5py.File(src, "r") as a, h5py.File(dst, "w") as b:
    for k, v in a.attrs.items():
        b.attrs[k] = v
    b.attrs["schema_version"] = version
    a.copy("scenario", b)

    def walk(name, obj):
        if isinstance(obj, h5py.Group):
            g = b.require_group(name)
            for k, v in obj.attrs.items():
                g.attrs[k] = v
            return
        fields = obj.dtype.names
        dt = np.dtype([(rename.get(f, f),
                        np.int32 if wide and f in CODES else obj.dtype.fields[f][0])
                       for f in fields])
        rows = obj[()]
        d = b.create_dataset(name, shape=rows.shape, maxshape=(None,), dtype=dt,
                             chunks=obj.chunks or (1024,), shuffle=True,
                             compression="gzip", compression_opts=1)
        if rows.size:
            same = np.dtype([(rename.get(f, f), obj.dtype.fields[f][0]) for f in fields])
            d[...] = rows.view(same).astype(dt) if rename else rows.astype(dt)
        for k, v in obj.attrs.items():
            d.attrs[k] = v

    a["arms"].visititems(lambda n, o: walk("arms/" + n, o))
    for k, v in a["arms"].attrs.items():
        b["arms"].attrs[k] = v
