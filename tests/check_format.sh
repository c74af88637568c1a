#!/usr/bin/env bash
# Every C++ source under include/, src/ and tests/ as .clang-format says (clang-format --dry-run -Werror).
#   tests/check_format.sh CLANG_FORMAT SOURCE_DIR
set -euo pipefail
cd "$2"
mapfile -t files < <(git ls-files 'include/*.h' 'src/*.h' 'src/*.cpp' 'tests/*.h' 'tests/*.cpp' 2>/dev/null ||
                     find include src tests -name '*.h' -o -name '*.cpp')
"$1" --dry-run -Werror "${files[@]}"
echo "format: ${#files[@]} files as .clang-format says"
