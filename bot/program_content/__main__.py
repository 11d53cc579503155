from bot.program_content.loader import main

raise SystemExit(main())
