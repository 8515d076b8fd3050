"""Bitwise comparison of two results files: every dataset (dtype, shape, bytes) and every
attribute of the root, groups and datasets. Used by test_sweep_cli.py and mpi_equal.py.

Object references (the dimension scales' DIMENSION_LIST and REFERENCE_LIST attributes) are
compared by the path of the object they point to."""

import h5py
import numpy as np


def _attrs(f, obj):
    """The attributes of `obj`, references replaced by the paths they name."""
    out = {}
    for key, value in obj.attrs.items():
        if key == "DIMENSION_LIST":
            value = [[f[ref].name for ref in refs] for refs in value]
        elif key == "REFERENCE_LIST":
            value = [(f[ref].name, int(axis)) for ref, axis in value]
        out[key] = value
    return out


def _walk(path):
    """{name: (attrs, data or None)} for the root, every group and every dataset."""
    out = {}
    with h5py.File(path, "r") as f:
        out["/"] = (_attrs(f, f), None)

        def visit(name, obj):
            data = obj[()] if isinstance(obj, h5py.Dataset) else None
            out["/" + name] = (_attrs(f, obj), data)

        f.visititems(visit)
    return out


def _same_value(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype.kind in "OSU" or b.dtype.kind in "OSU":
        return a.shape == b.shape and a.tolist() == b.tolist()
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def differences(path_a, path_b, ignore_root_attrs=()):
    """A list of human-readable differences; empty when the files hold the same content."""
    a, b = _walk(path_a), _walk(path_b)
    diffs = []
    for name in sorted(set(a) | set(b)):
        if name not in a or name not in b:
            diffs.append(f"{name}: only in {path_a if name in a else path_b}")
            continue
        (attrs_a, data_a), (attrs_b, data_b) = a[name], b[name]
        for key in sorted(set(attrs_a) | set(attrs_b)):
            if name == "/" and key in ignore_root_attrs:
                continue
            if key not in attrs_a or key not in attrs_b:
                diffs.append(f"{name} attribute {key}: only in one file")
            elif not _same_value(attrs_a[key], attrs_b[key]):
                diffs.append(f"{name} attribute {key}: {attrs_a[key]!r} != {attrs_b[key]!r}")
        if (data_a is None) != (data_b is None):
            diffs.append(f"{name}: a dataset in one file only")
        elif data_a is not None and not _same_value(data_a, data_b):
            diffs.append(f"{name}: data differ ({data_a.dtype}{data_a.shape} vs "
                         f"{data_b.dtype}{data_b.shape})")
    return diffs
