#!/usr/bin/env python
from quartier.__main__ import main

if __name__ == "__main__":
    main()
