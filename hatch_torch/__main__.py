from hatch_torch.cli import main

raise SystemExit(main())
