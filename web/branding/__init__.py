"""A tenant's brand in the browser: the console's branding page (``console``), and on the
tenant's host its logo, colours and 特定商取引法 notices (``public``)."""
