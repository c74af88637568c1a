#!/usr/bin/python3
"""Convert a PyTorch encoder transformer into a rapmc model file (docs/formats.md, "Importing
PyTorch models"): the command line of rapmc's importer, src/python/rapmc/torch_import.py (the
same code `rapmc.import_torch` runs in-process; it needs neither the build nor the module).

    /usr/bin/python3 scripts/import_torch.py vit  CHECKPOINT --config CONFIG.json --out MODEL.h5
    /usr/bin/python3 scripts/import_torch.py bert CHECKPOINT --config CONFIG.json \\
        --vocab VOCAB.txt --out MODEL.h5
"""
import importlib.util
import os
import sys

_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "python", "rapmc",
                     "torch_import.py")
_spec = importlib.util.spec_from_file_location("rapmc_torch_import", _path)
_importer = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_importer)
globals().update({k: v for k, v in vars(_importer).items() if not k.startswith("__")})

if __name__ == "__main__":
    sys.exit(_importer.main())
