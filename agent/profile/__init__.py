"""The candidate's CV and the target job description: read them within limits
(``read``), map them onto the bank's topics (``topics``, ``focus``), find the CV's
projects (``projects``) and build their deep-dive questions from curated templates
(``project_questions``), so the interview aims at them."""
